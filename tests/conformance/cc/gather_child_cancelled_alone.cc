// Port of scenarios/gather_child_cancelled_alone.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  try {
    co_await sleep(std::chrono::seconds(delay));
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    throw;
  }
  log(name + " finishes");
  co_return name;
}

using Results = std::tuple<std::string, std::string>;

Coro<Results> waiter(Future<Results> g) {
  try {
    Results r = co_await g;
    log("waiter unwinds");
    co_return r;
  } catch (...) {
    log("waiter unwinds");
    throw;
  }
}

CONFORMANCE_SCENARIO(gather_child_cancelled_alone) {
  Task<std::string> a = create_task(child("a", 1), "a");
  Task<std::string> b = create_task(child("b", 3), "b");
  Future<Results> g = gather(a, b);
  Task<Results> w = create_task(waiter(g), "waiter");
  co_await sleep(500ms);
  a.cancel("only a");
  try {
    co_await w;
  } catch (const CancelledError& e) {
    log("waiter raised CancelledError msg=" + e.message());
  }
  log("gather done=" + py(g.done()) + " cancelled=" + py(g.cancelled()) +
      " waiter cancelled=" + py(w.cancelled()));
  log("b done=" + py(b.done()));
  log("b returned " + co_await b);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
