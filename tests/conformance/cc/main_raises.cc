// Port of scenarios/main_raises.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> background() {
  try {
    co_await sleep(10s);
  } catch (...) {
    log("background finally");
    throw;
  }
  log("background finally");
}

CONFORMANCE_SCENARIO(main_raises) {
  create_task(background(), "background");
  co_await sleep(2s);
  log("main raises");
  throw RuntimeError("main failed");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
