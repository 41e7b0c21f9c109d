// Port of scenarios/run_drains_pending_tasks.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleeper() {
  try {
    co_await sleep(100s);
  } catch (...) {
    log("sleeper finally");
    throw;
  }
  log("sleeper finally");
}

Coro<void> blocked(Future<void> fut) {
  try {
    co_await fut;
  } catch (...) {
    log("blocked finally");
    throw;
  }
  log("blocked finally");
}

Coro<void> slow_cleanup() {
  try {
    co_await sleep(100s);
  } catch (const CancelledError&) {
    log("slow_cleanup caught CancelledError, cleans up for 2");
  }
  co_await sleep(2s);
  log("slow_cleanup done cleaning");
}

CONFORMANCE_SCENARIO(run_drains_pending_tasks) {
  create_task(slow_cleanup(), "slow_cleanup");
  create_task(sleeper(), "sleeper");
  create_task(blocked(Future<void>()), "blocked");
  co_await sleep(1s);
  log("main returns");
  co_return "3";
}

}  // namespace
}  // namespace lockstep::conformance
