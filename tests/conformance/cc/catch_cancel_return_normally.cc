// Port of scenarios/catch_cancel_return_normally.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> worker() {
  try {
    co_await sleep(5s);
  } catch (const CancelledError&) {
    log("worker caught CancelledError and returns 1");
    co_return 1;
  }
  co_return 0;
}

CONFORMANCE_SCENARIO(catch_cancel_return_normally) {
  Task<int> task = create_task(worker(), "worker");
  co_await sleep(1s);
  task.cancel();
  log("worker returned " + std::to_string(co_await task));
  log("cancelled=" + py(task.cancelled()) + " cancelling=" + std::to_string(task.cancelling()));
  log("uncancel returned " + std::to_string(task.uncancel()));
  log("uncancel again returned " + std::to_string(task.uncancel()));
  const bool cancelled = task.cancel();
  log("cancel after done returned " + py(cancelled) +
      " cancelling=" + std::to_string(task.cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
