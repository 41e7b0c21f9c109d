// Port of scenarios/condition_notify_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> waiter(Condition& cond, std::string name) {
  {
    LockGuard<Condition> guard = co_await cond.lock();
    log(name + " waiting");
    co_await cond.wait();
    log(name + " woke");
    co_await sleep(0s);
  }
  log(name + " released");
}

CONFORMANCE_SCENARIO(condition_notify_order) {
  Condition cond;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 5; ++i) {
    const std::string name = "w" + std::to_string(i);
    tasks.push_back(create_task(waiter(cond, name), name));
  }
  co_await sleep(0s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    cond.notify();
    log("notified 1");
    co_await sleep(0s);
    log("still holding");
  }
  co_await sleep(1s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    cond.notify(2);
    log("notified 2");
  }
  co_await sleep(1s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    cond.notify_all();
    log("notified all");
  }
  for (Task<void>& t : tasks) co_await t;
  log("locked=" + py(cond.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
