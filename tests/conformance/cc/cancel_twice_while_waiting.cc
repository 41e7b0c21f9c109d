// Port of scenarios/cancel_twice_while_waiting.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> worker() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("worker caught CancelledError msg=" + e.message());
  }
  co_await sleep(1s);
  log("worker's next sleep completed normally");
  co_return "survived";
}

CONFORMANCE_SCENARIO(cancel_twice_while_waiting) {
  Task<std::string> task = create_task(worker(), "worker");
  co_await sleep(0s);
  log("cancel first returned " + py(task.cancel("first")));
  log("cancel second returned " + py(task.cancel("second")));
  log("cancelling=" + std::to_string(task.cancelling()));
  std::string result = co_await task;
  log("worker returned " + result + " cancelled=" + py(task.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
