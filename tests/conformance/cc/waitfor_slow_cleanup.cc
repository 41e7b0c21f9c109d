// Port of scenarios/waitfor_slow_cleanup.py. Python awaits the cleanup inside its except
// block; here the handler keeps the CancelledError, re-raised after the cleanup.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> slow_cleanup(std::string name) {
  std::exception_ptr cancelled;
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(name + " cancelled, cleaning up");
    cancelled = std::current_exception();
  }
  if (cancelled) {
    co_await sleep(1500ms);
    log(name + " cleanup done");
    std::rethrow_exception(cancelled);
  }
}

CONFORMANCE_SCENARIO(waitfor_slow_cleanup) {
  try {
    co_await wait_for(slow_cleanup("coro"), 1s);
  } catch (const TimeoutError&) {
    log("wait_for(coro) raised TimeoutError");
  }
  Task<void> t = create_task(slow_cleanup("task"), "task");
  try {
    co_await wait_for(t, 1s);
  } catch (const TimeoutError&) {
    log("wait_for(task) raised TimeoutError task done=" + py(t.done()) +
        " cancelled=" + py(t.cancelled()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
