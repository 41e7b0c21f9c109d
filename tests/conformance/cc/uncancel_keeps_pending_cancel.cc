// Port of scenarios/uncancel_keeps_pending_cancel.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> stepper(std::string name) {
  try {
    log(name + " step 1");
    co_await sleep(0s);
    log(name + " step 2");
    co_await sleep(1s);
    log(name + " step 3");
  } catch (const CancelledError&) {
    log(name + " caught CancelledError");
    throw;
  }
}

CONFORMANCE_SCENARIO(uncancel_keeps_pending_cancel) {
  Task<void> ready = create_task(stepper("ready"), "ready");
  Task<void> waiting = create_task(stepper("waiting"), "waiting");
  co_await sleep(0s);
  ready.cancel();
  log("ready: uncancel returned " + std::to_string(ready.uncancel()));
  co_await sleep(500ms);
  waiting.cancel();
  log("waiting: uncancel returned " + std::to_string(waiting.uncancel()));
  for (const Task<void>& task : {ready, waiting}) {
    try {
      co_await task;
    } catch (const CancelledError&) {
      log(task.get_name() + " cancelled=" + py(task.cancelled()) +
          " cancelling=" + std::to_string(task.cancelling()));
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
