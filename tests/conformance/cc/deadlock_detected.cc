// Port of scenarios/deadlock_detected.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> stuck(Future<void> fut) {
  try {
    co_await fut;
  } catch (...) {
    log("stuck finally");
    throw;
  }
  log("stuck finally");
}

CONFORMANCE_SCENARIO(deadlock_detected) {
  Loop& loop = *Loop::current();
  Task<void> worker = create_task(stuck(loop.create_future<void>()), "stuck");
  co_await sleep(1s);
  log("main awaits a task that can never finish");
  try {
    co_await worker;
  } catch (const CancelledError&) {
    log("main caught CancelledError");
    throw;
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
