// Port of scenarios/shield_cancelled_twice.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> work() {
  co_await sleep(3s);
  log("work finishes");
  co_return 7;
}

Coro<int> caller(Task<int> inner) {
  try {
    co_await shield(inner);
  } catch (const CancelledError& e) {
    log("caller caught CancelledError msg=" + e.message());
  }
  try {
    co_await shield(inner);
  } catch (const CancelledError& e) {
    log("caller caught CancelledError again msg=" + e.message());
  }
  int value = co_await inner;
  log("caller got " + std::to_string(value) +
      " cancelling=" + std::to_string(current_task().cancelling()));
  co_return value;
}

CONFORMANCE_SCENARIO(shield_cancelled_twice) {
  Task<int> inner = create_task(work(), "work");
  Task<int> c = create_task(caller(inner), "caller");
  co_await sleep(1s);
  log("cancel 1 returned " + py(c.cancel("one")));
  log("cancel 2 returned " + py(c.cancel("two")));
  co_await sleep(1s);
  log("cancel 3 returned " + py(c.cancel("three")));
  log("caller returned " + std::to_string(co_await c));
  log("inner cancelled=" + py(inner.cancelled()) +
      " cancelling=" + std::to_string(inner.cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
