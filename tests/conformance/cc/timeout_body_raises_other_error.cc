// Port of scenarios/timeout_body_raises_other_error.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> body() {
  try {
    co_await sleep(5s);
  } catch (const CancelledError&) {
    log("body cancelled by the deadline, raises ValueError");
    throw ValueError("converted");
  }
}

CONFORMANCE_SCENARIO(timeout_body_raises_other_error) {
  Timeout cm = timeout(1s);
  try {
    co_await cm.run(body());
  } catch (const TimeoutError&) {
    log("TimeoutError (wrong)");
  } catch (const ValueError& e) {
    log(std::string("ValueError ") + e.what() + " expired=" + py(cm.expired()) +
        " cancelling=" + std::to_string(current_task().cancelling()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
