// Port of scenarios/gather_cancel_after_gather_done.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name) {
  co_await sleep(1s);
  log(name + " finishes");
  co_return name;
}

using Results = std::tuple<std::string>;

Coro<void> waiter(Future<Results> g) {
  try {
    Results results = co_await g;
    log("waiter got ['" + std::get<0>(results) + "'] (not expected)");
  } catch (const CancelledError& e) {
    log("waiter caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(gather_cancel_after_gather_done) {
  Task<std::string> a = create_task(child("a"), "a");
  Future<Results> g = gather(a);
  Task<void> w = create_task(waiter(g), "waiter");
  g.add_done_callback(
      [w]() mutable { log("gather done; cancel waiter returned " + py(w.cancel("late"))); });
  try {
    co_await w;
  } catch (const CancelledError&) {
    log("waiter cancelled=" + py(w.cancelled()) + " gather result=['" + std::get<0>(g.result()) +
        "']");
  }
  log("a cancelled=" + py(a.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
