// Port of scenarios/main_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> assassin(AnyTask target) {
  co_await sleep(1s);
  log("assassin cancels main: " + py(target.cancel("shutdown")));
}

CONFORMANCE_SCENARIO(main_cancelled) {
  create_task(assassin(current_task()), "assassin");
  try {
    co_await sleep(5s);
    log("main woke (not reached)");
  } catch (...) {
    log("main finally");
    throw;
  }
  log("main finally");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
