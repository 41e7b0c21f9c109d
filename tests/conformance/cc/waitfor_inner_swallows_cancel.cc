// Port of scenarios/waitfor_inner_swallows_cancel.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> stubborn(std::string name) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(name + " caught CancelledError, returns a value");
    co_return name + " value";
  }
  co_return "not reached";
}

CONFORMANCE_SCENARIO(waitfor_inner_swallows_cancel) {
  std::string v = co_await wait_for(stubborn("coro"), 1s);
  log("wait_for(coro) returned " + v +
      " cancelling=" + std::to_string(current_task().cancelling()));
  Task<std::string> t = create_task(stubborn("task"), "task");
  v = co_await wait_for(t, 1s);
  log("wait_for(task) returned " + v +
      " cancelling=" + std::to_string(current_task().cancelling()));
  log("task cancelled=" + py(t.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
