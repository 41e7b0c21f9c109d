// Port of scenarios/main_return_last_iteration.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> late_starter() {
  log("late_starter first step");
  co_await sleep(0s);
  log("late_starter second step (not reached)");
}

Coro<void> spinner() {
  try {
    while (true) {
      co_await sleep(0s);
      log("spinner step");
    }
  } catch (...) {
    log("spinner finally");
    throw;
  }
}

CONFORMANCE_SCENARIO(main_return_last_iteration) {
  Loop& loop = *Loop::current();
  create_task(spinner(), "spinner");
  co_await sleep(0s);
  create_task(late_starter(), "late_starter");
  loop.call_soon([] { log("callback queued by main's last step"); });
  log("main returns");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
