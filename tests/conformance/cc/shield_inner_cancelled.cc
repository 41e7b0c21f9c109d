// Port of scenarios/shield_inner_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> work() {
  co_await sleep(5s);
  co_return 1;
}

Coro<int> caller(Task<int> inner) {
  try {
    co_return co_await shield(inner);
  } catch (const CancelledError& e) {
    log("caller caught CancelledError msg=" + e.message());
    log("caller cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
}

CONFORMANCE_SCENARIO(shield_inner_cancelled) {
  Task<int> inner = create_task(work(), "work");
  Task<int> c = create_task(caller(inner), "caller");
  co_await sleep(1s);
  inner.cancel("inner msg");
  try {
    co_await c;
  } catch (const CancelledError& e) {
    log("caller cancelled=" + py(c.cancelled()) + " msg=" + e.message());
  }
  log("inner cancelled=" + py(inner.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
