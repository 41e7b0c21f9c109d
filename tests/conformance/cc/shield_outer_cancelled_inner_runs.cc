// Port of scenarios/shield_outer_cancelled_inner_runs.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> commit() {
  try {
    co_await sleep(3s);
  } catch (const CancelledError&) {
    log("commit cancelled (not expected)");
    throw;
  }
  log("commit finishes");
  co_return 42;
}

Coro<int> caller(Task<int> inner) {
  try {
    co_return co_await shield(inner);
  } catch (const CancelledError& e) {
    log("caller caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(shield_outer_cancelled_inner_runs) {
  Task<int> inner = create_task(commit(), "commit");
  Task<int> c = create_task(caller(inner), "caller");
  co_await sleep(1s);
  c.cancel("give up");
  try {
    co_await c;
  } catch (const CancelledError&) {
    log("caller cancelled=" + py(c.cancelled()) + " inner done=" + py(inner.done()) +
        " cancelling=" + std::to_string(inner.cancelling()));
  }
  log("inner result " + std::to_string(co_await inner));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
