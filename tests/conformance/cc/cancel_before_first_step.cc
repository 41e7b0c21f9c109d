// Port of scenarios/cancel_before_first_step.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> body() {
  try {
    log("body started (not reached)");
    co_await sleep(1s);
  } catch (...) {
    log("body finally (not reached)");
    throw;
  }
  log("body finally (not reached)");
}

CONFORMANCE_SCENARIO(cancel_before_first_step) {
  Task<void> task = create_task(body(), "victim");
  log("first cancel returned " + py(task.cancel("first")));
  log("second cancel returned " + py(task.cancel("second")));
  log("cancelling=" + std::to_string(task.cancelling()));
  try {
    co_await task;
  } catch (const CancelledError& e) {
    log("main caught CancelledError msg=" + e.message());
  }
  log("victim cancelled=" + py(task.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
