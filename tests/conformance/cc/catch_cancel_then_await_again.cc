// Port of scenarios/catch_cancel_then_await_again.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> worker() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("worker caught first cancel, sleeps 2 more");
  }
  co_await sleep(2s);
  log("worker finished the extra sleep, sleeps 10 again");
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("worker caught second cancel msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(catch_cancel_then_await_again) {
  Task<void> task = create_task(worker(), "worker");
  co_await sleep(1s);
  task.cancel("one");
  co_await sleep(3s);
  task.cancel("two");
  try {
    co_await task;
  } catch (const CancelledError&) {
    log("worker ended cancelled=" + py(task.cancelled()) +
        " cancelling=" + std::to_string(task.cancelling()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
