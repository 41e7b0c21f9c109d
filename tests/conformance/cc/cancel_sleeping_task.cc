// Port of scenarios/cancel_sleeping_task.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleeper() {
  try {
    log("sleeper sleeping 10");
    co_await sleep(10s);
    log("sleeper woke (not reached)");
  } catch (const CancelledError& e) {
    log("sleeper caught CancelledError msg=" + e.message());
    log("sleeper finally");
    throw;
  }
  log("sleeper finally");
}

CONFORMANCE_SCENARIO(cancel_sleeping_task) {
  Task<void> task = create_task(sleeper(), "sleeper");
  co_await sleep(1s);
  log("cancel returned " + py(task.cancel("stop now")));
  log("right after cancel: done=" + py(task.done()) +
      " cancelling=" + std::to_string(task.cancelling()));
  try {
    co_await task;
  } catch (const CancelledError& e) {
    log("main caught CancelledError msg=" + e.message());
  }
  log("sleeper cancelled=" + py(task.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
