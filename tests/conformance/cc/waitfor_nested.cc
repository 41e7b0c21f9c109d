// Port of scenarios/waitfor_nested.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleeper() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("sleeper cancelled");
    throw;
  }
}

Coro<void> middle(Duration timeout) {
  try {
    co_await wait_for(sleeper(), timeout);
  } catch (...) {
    log("inner wait_for raised " + python_type(std::current_exception()));
    throw;
  }
}

Coro<void> trial(std::string label, Duration inner_timeout, Duration outer_timeout) {
  try {
    co_await wait_for(middle(inner_timeout), outer_timeout);
  } catch (...) {
    log(label + ": outer wait_for raised " + python_type(std::current_exception()));
  }
  log(label + ": cancelling=" + std::to_string(current_task().cancelling()));
}

CONFORMANCE_SCENARIO(waitfor_nested) {
  co_await trial("outer first", 2s, 1s);
  co_await trial("inner first", 1s, 2s);
  co_await trial("same deadline", 1s, 1s);
  co_await sleep(5s);
  log("done");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
