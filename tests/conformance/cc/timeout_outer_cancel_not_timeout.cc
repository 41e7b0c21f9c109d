// Port of scenarios/timeout_outer_cancel_not_timeout.py. The Timeout lives on the heap so
// that main can still read it after the worker's frame is gone, as Python's box does.
#include <memory>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

Coro<void> worker(std::vector<std::shared_ptr<Timeout>>* box) {
  // asyncio.timeout(5): a Timeout expiring 5 s from now.
  auto cm = std::make_shared<Timeout>(Loop::current()->time() + 5s);
  box->push_back(cm);
  try {
    co_await cm->run(sleep_coro(10s));
  } catch (const TimeoutError&) {
    log("worker: TimeoutError (wrong)");
  } catch (const CancelledError& e) {
    log("worker: CancelledError msg=" + e.message() + " expired=" + py(cm->expired()));
    throw;
  }
}

CONFORMANCE_SCENARIO(timeout_outer_cancel_not_timeout) {
  std::vector<std::shared_ptr<Timeout>> box;
  Task<void> w = create_task(worker(&box), "worker");
  co_await sleep(2s);
  w.cancel("outside");
  try {
    co_await w;
  } catch (const CancelledError&) {
    log("worker cancelled=" + py(w.cancelled()) + " cancelling=" + std::to_string(w.cancelling()));
  }
  co_await sleep(5s);
  log("after the old deadline: expired=" + py(box[0]->expired()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
