// Port of scenarios/timeout_nested.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

// A: `async with outer:` body whose inner scope expires first and is caught inside.
Coro<void> body_a(Timeout* outer) {
  Timeout inner = timeout(1s);
  try {
    co_await inner.run(sleep_coro(10s));
  } catch (const TimeoutError&) {
    log("A: inner TimeoutError inner.expired=" + py(inner.expired()) +
        " outer.expired=" + py(outer->expired()));
  }
  co_await sleep(10s);
}

// B and C: the CancelledError leaves the inner scope and is re-raised.
Coro<void> body_bc(std::string label, Duration inner_delay) {
  Timeout inner = timeout(inner_delay);
  try {
    co_await inner.run(sleep_coro(10s));
  } catch (const CancelledError&) {
    log(label + ": CancelledError left the inner scope inner.expired=" + py(inner.expired()));
    throw;
  }
}

CONFORMANCE_SCENARIO(timeout_nested) {
  {
    Timeout outer = timeout(3s);
    try {
      co_await outer.run(body_a(&outer));
    } catch (const TimeoutError&) {
      log("A: outer TimeoutError outer.expired=" + py(outer.expired()));
    }
  }
  {
    Timeout outer = timeout(1s);
    try {
      co_await outer.run(body_bc("B", 2s));
    } catch (const TimeoutError&) {
      log("B: outer TimeoutError outer.expired=" + py(outer.expired()));
    }
  }
  {
    Timeout outer = timeout(1s);
    try {
      co_await outer.run(body_bc("C", 1s));
    } catch (const TimeoutError&) {
      log("C: outer TimeoutError outer.expired=" + py(outer.expired()) +
          " cancelling=" + std::to_string(current_task().cancelling()));
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
