// Port of scenarios/inner_swallows_outer_cancel.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> stubborn() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("B caught CancelledError, returns 5 instead");
    co_return 5;
  }
  co_return 0;  // Python returns None here (not reached)
}

Coro<int> waiter(Task<int> b) {
  int value = co_await b;
  log("A got " + std::to_string(value) + " from B, keeps going");
  co_await sleep(1s);
  log("A finished its second sleep");
  co_return value * 2;
}

CONFORMANCE_SCENARIO(inner_swallows_outer_cancel) {
  Task<int> b = create_task(stubborn(), "B");
  Task<int> a = create_task(waiter(b), "A");
  co_await sleep(1s);
  a.cancel("stop A");
  int result = co_await a;
  log("A returned " + std::to_string(result) + " cancelled=" + py(a.cancelled()) +
      " cancelling=" + std::to_string(a.cancelling()));
  log("B returned " + std::to_string(b.result()) + " cancelled=" + py(b.cancelled()) +
      " cancelling=" + std::to_string(b.cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
