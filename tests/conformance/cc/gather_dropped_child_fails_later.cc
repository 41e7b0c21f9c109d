// Port of scenarios/gather_dropped_child_fails_later.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> fail_after(Duration delay, std::string what) {
  co_await sleep(delay);
  log(what + " raises");
  throw ValueError(what);
}

CONFORMANCE_SCENARIO(gather_dropped_child_fails_later) {
  Loop::current()->set_exception_handler(
      [](Loop&, const ExceptionContext& c) { log("exception handler: " + c.message); });
  {
    Task<int> late = create_task(fail_after(2s, "late"), "late");
    try {
      co_await gather(fail_after(1s, "first"), late);
    } catch (const ValueError& e) {
      log(std::string("gather raised ValueError: ") + e.what());
    }
  }  // del late
  co_await sleep(2s);
  log("main done");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
