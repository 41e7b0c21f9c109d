// Port of scenarios/cancel_done_task.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> returns() { co_return "ok"; }

Coro<void> raises() {
  throw KeyError("k");
  co_return;
}

Coro<std::string> refuses() {
  try {
    co_await sleep(1s);
  } catch (const CancelledError&) {
    log("refuses caught CancelledError");
  }
  co_return "refused";
}

CONFORMANCE_SCENARIO(cancel_done_task) {
  Task<std::string> done_ok = create_task(returns(), "returns");
  Task<void> done_err = create_task(raises(), "raises");
  Task<std::string> stubborn = create_task(refuses(), "refuses");
  co_await sleep(0s);
  log("cancel pending returned " + py(stubborn.cancel()));
  log("stubborn returned " + co_await stubborn);
  for (AnyTask task : {AnyTask(done_ok), AnyTask(done_err), AnyTask(stubborn)}) {
    const bool cancelled = task.cancel();
    log(task.get_name() + ": cancel returned " + py(cancelled) +
        " cancelling=" + std::to_string(task.cancelling()));
  }
  log("raises exception type " + python_type(done_err.exception()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
