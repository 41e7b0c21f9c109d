// Port of scenarios/gather_cancelled_before_children_start.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name) {
  log(name + " body runs (not expected)");
  co_await sleep(1s);
  co_return name;
}

CONFORMANCE_SCENARIO(gather_cancelled_before_children_start) {
  auto g = gather(child("a"), child("b"));
  log("gather.cancel returned " + py(g.cancel("early")));
  try {
    co_await g;
  } catch (const CancelledError& e) {
    log("gather raised CancelledError msg=" + e.message());
  }
  log("gather done=" + py(g.done()) + " cancelled=" + py(g.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
