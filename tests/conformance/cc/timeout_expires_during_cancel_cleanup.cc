// Port of scenarios/timeout_expires_during_cancel_cleanup.py. Python awaits the cleanup
// inside its except block; C++ cannot co_await in a handler, so the cleanup follows it.
#include <memory>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> body() {
  bool cancelled = false;
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("body caught CancelledError msg=" + e.message() + ", cleans up");
    cancelled = true;
  }
  if (cancelled) {
    co_await sleep(5s);
    log("cleanup finished (not expected)");
  }
}

Coro<void> worker(std::vector<std::shared_ptr<Timeout>>* box) {
  // asyncio.timeout(2): a Timeout expiring 2 s from now, kept where main can see it.
  auto cm = std::make_shared<Timeout>(Loop::current()->time() + 2s);
  box->push_back(cm);
  try {
    co_await cm->run(body());
  } catch (const TimeoutError&) {
    log("worker: TimeoutError (wrong)");
  } catch (const CancelledError& e) {
    log("worker: CancelledError msg=" + e.message() + " expired=" + py(cm->expired()) +
        " cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
}

CONFORMANCE_SCENARIO(timeout_expires_during_cancel_cleanup) {
  std::vector<std::shared_ptr<Timeout>> box;
  Task<void> w = create_task(worker(&box), "worker");
  co_await sleep(1s);
  w.cancel("explicit");
  try {
    co_await w;
  } catch (const CancelledError&) {
    log("worker cancelled=" + py(w.cancelled()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
