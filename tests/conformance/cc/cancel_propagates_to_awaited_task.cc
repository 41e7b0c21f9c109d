// Port of scenarios/cancel_propagates_to_awaited_task.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> inner() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("inner caught CancelledError msg=" + e.message());
    log("inner finally");
    throw;
  } catch (...) {
    log("inner finally");
    throw;
  }
  log("inner finally");
}

Coro<void> outer(Task<void> child) {
  try {
    co_await child;
  } catch (const CancelledError& e) {
    log("outer caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(cancel_propagates_to_awaited_task) {
  Task<void> child = create_task(inner(), "inner");
  Task<void> parent = create_task(outer(child), "outer");
  co_await sleep(1s);
  log("cancel outer returned " + py(parent.cancel("from main")));
  try {
    co_await parent;
  } catch (const CancelledError&) {
    log("main saw outer cancelled");
  }
  log("inner cancelled=" + py(child.cancelled()) +
      " cancelling=" + std::to_string(child.cancelling()));
  log("outer cancelled=" + py(parent.cancelled()) +
      " cancelling=" + std::to_string(parent.cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
