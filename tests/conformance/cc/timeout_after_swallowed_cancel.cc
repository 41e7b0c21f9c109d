// Port of scenarios/timeout_after_swallowed_cancel.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

std::string cancelling() { return std::to_string(current_task().cancelling()); }

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

Coro<void> worker() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("worker swallowed a cancel, cancelling=" + cancelling());
  }
  try {
    Timeout cm = timeout(1s);
    co_await cm.run(sleep_coro(5s));
  } catch (const TimeoutError&) {
    log("worker: TimeoutError cancelling=" + cancelling());
  }
  try {
    Timeout cm = timeout(5s);
    co_await cm.run(sleep_coro(5s));
  } catch (const TimeoutError&) {
    log("worker: TimeoutError (wrong)");
  } catch (const CancelledError&) {
    log("worker: CancelledError cancelling=" + cancelling());
    throw;
  }
}

CONFORMANCE_SCENARIO(timeout_after_swallowed_cancel) {
  Task<void> w = create_task(worker(), "worker");
  co_await sleep(1s);
  w.cancel();
  co_await sleep(2s);
  w.cancel();
  try {
    co_await w;
  } catch (const CancelledError&) {
    log("worker cancelled=" + py(w.cancelled()) + " cancelling=" + std::to_string(w.cancelling()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
