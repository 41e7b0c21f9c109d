// Port of scenarios/condition_cancel_after_notify.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> wait_on_cond(Condition& cond) {
  LockGuard<Condition> guard = co_await cond.lock();
  log("waiter entered");
  try {
    co_await cond.wait();
  } catch (const CancelledError&) {
    log("waiter cancelled locked=" + py(cond.locked()));
    throw;
  }
}

CONFORMANCE_SCENARIO(condition_cancel_after_notify) {
  Condition cond;
  Task<void> waiter = create_task(wait_on_cond(cond), "waiter");
  co_await sleep(0s);
  co_await cond.acquire();
  cond.notify();
  co_await sleep(0s);
  log("waiter notified, main still holds the lock");
  waiter.cancel();
  co_await sleep(0s);
  log("waiter done=" + py(waiter.done()));
  cond.release();
  co_await sleep(0s);
  log("waiter cancelled=" + py(waiter.cancelled()) + " locked=" + py(cond.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
