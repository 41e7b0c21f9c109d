// Port of scenarios/gather_argument_vs_completion_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

Coro<int> child(std::string name, int delay, int value) {
  log(name + " starts, sleeps " + std::to_string(delay));
  co_await sleep(std::chrono::seconds(delay));
  log(name + " finishes with " + std::to_string(value));
  co_return value;
}

CONFORMANCE_SCENARIO(gather_argument_vs_completion_order) {
  Task<int> early = create_task(child("early", 2, 20), "early");
  auto fut = gather(child("c3", 3, 30), early, child("c1", 1, 10), child("c0", 0, 0));
  log("gather created");
  auto [r0, r1, r2, r3] = co_await fut;
  log("results [" + std::to_string(r0) + ", " + std::to_string(r1) + ", " + std::to_string(r2) +
      ", " + std::to_string(r3) + "]");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
