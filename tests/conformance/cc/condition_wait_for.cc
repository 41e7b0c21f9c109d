// Port of scenarios/condition_wait_for.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> consumer(Condition& cond, std::vector<std::string>& items, std::string name) {
  LockGuard<Condition> guard = co_await cond.lock();
  const std::size_t n = co_await cond.wait_for([&items] { return items.size(); });
  const std::string item = items.front();
  items.erase(items.begin());
  log(name + " saw " + std::to_string(n) + " items, took " + item);
}

CONFORMANCE_SCENARIO(condition_wait_for) {
  Condition cond;
  std::vector<std::string> items{"ready"};
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 4; ++i) {
    const std::string name = "c" + std::to_string(i);
    tasks.push_back(create_task(consumer(cond, items, name), name));
  }
  co_await sleep(0s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    items.push_back("x1");
    cond.notify_all();
    log("x1 added, notified all");
  }
  co_await sleep(1s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    items.push_back("x2");
    items.push_back("x3");
    cond.notify(1);
    log("x2 x3 added, notified 1");
  }
  co_await sleep(1s);
  {
    LockGuard<Condition> guard = co_await cond.lock();
    cond.notify(1);
    log("notified 1");
  }
  for (Task<void>& t : tasks) co_await t;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
