// Port of scenarios/lock_released_on_error.py: `async with lock:` is a LockGuard.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> holder(Lock& lock, std::string name, bool fail) {
  {
    LockGuard<Lock> guard = co_await lock.lock();
    log(name + " holds the lock");
    try {
      co_await sleep(1s);
    } catch (const CancelledError&) {
      log(name + " cancelled while holding");
      throw;
    }
    if (fail) throw ValueError(name + " failed");
  }
  log(name + " left");
}

CONFORMANCE_SCENARIO(lock_released_on_error) {
  Lock lock;
  std::vector<Task<void>> tasks;
  for (const char* n : {"failer", "sleeper", "last"})
    tasks.push_back(create_task(holder(lock, n, std::string(n) == "failer"), n));
  co_await sleep(1500ms);
  tasks[1].cancel();
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const ValueError& e) {
      log(t.get_name() + " raised ValueError: " + e.what());
    } catch (const CancelledError& e) {
      log(t.get_name() + " raised CancelledError: " + e.message());
    }
  }
  log("locked=" + py(lock.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
