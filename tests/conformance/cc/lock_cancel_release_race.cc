// Port of scenarios/lock_cancel_release_race.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> lockit(Lock& lock, std::string name) {
  log(name + " acquiring");
  co_await lock.acquire();
  log(name + " acquired");
}

CONFORMANCE_SCENARIO(lock_cancel_release_race) {
  Loop& loop = *Loop::current();
  Lock lock;
  co_await lock.acquire();
  Task<void> t1 = create_task(lockit(lock, "t1"), "t1");
  Task<void> t2 = create_task(lockit(lock, "t2"), "t2");
  Task<void> t3 = create_task(lockit(lock, "t3"), "t3");
  co_await sleep(0s);

  loop.call_soon([&] {
    log("trigger: cancel t1, release");
    t1.cancel();
    lock.release();
  });
  try {
    co_await t1;
  } catch (const CancelledError&) {
    log("t1 cancelled");
  }
  log("t2 done=" + py(t2.done()) + " t3 done=" + py(t3.done()) + " locked=" + py(lock.locked()));
  t3.cancel();
  try {
    co_await t3;
  } catch (const CancelledError&) {
    log("t3 cancelled=" + py(t3.cancelled()) + " locked=" + py(lock.locked()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
