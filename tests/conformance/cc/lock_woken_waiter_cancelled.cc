// Port of scenarios/lock_woken_waiter_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> waiter(Lock& lock, std::string name) {
  try {
    co_await lock.acquire();
  } catch (const CancelledError&) {
    log(name + " cancelled locked=" + py(lock.locked()));
    throw;
  }
  log(name + " acquired");
  co_await sleep(1s);
  lock.release();
  log(name + " released");
}

CONFORMANCE_SCENARIO(lock_woken_waiter_cancelled) {
  Lock lock;
  co_await lock.acquire();
  std::vector<Task<void>> tasks;
  for (const char* n : {"b", "c", "d", "e"}) tasks.push_back(create_task(waiter(lock, n), n));
  co_await sleep(0s);
  lock.release();
  log("main released locked=" + py(lock.locked()));
  tasks[0].cancel();  // b: woken already
  tasks[2].cancel();  // d: still queued
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const CancelledError&) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()));
    }
  }
  log("locked=" + py(lock.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
