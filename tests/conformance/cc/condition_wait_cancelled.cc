// Port of scenarios/condition_wait_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> waiter(Condition& cond, std::string name) {
  LockGuard<Condition> guard = co_await cond.lock();
  try {
    co_await cond.wait();
  } catch (const CancelledError& e) {
    log(name + " CancelledError msg=" + e.message() + " locked=" + py(cond.locked()));
    throw;
  }
}

CONFORMANCE_SCENARIO(condition_wait_cancelled) {
  Condition cond;
  Task<void> once = create_task(waiter(cond, "once"), "once");
  Task<void> twice = create_task(waiter(cond, "twice"), "twice");
  co_await sleep(0s);
  co_await cond.acquire();
  once.cancel("first");
  twice.cancel("first");
  co_await sleep(0s);
  log("main holds the lock");
  twice.cancel("second");
  co_await sleep(1s);
  cond.release();
  log("main released");
  for (const Task<void>& t : {once, twice}) {
    try {
      co_await t;
    } catch (const CancelledError& e) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()) + " msg=" + e.message());
    }
  }
  log("locked=" + py(cond.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
