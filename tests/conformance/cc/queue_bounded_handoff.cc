// Port of scenarios/queue_bounded_handoff.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> producer(Queue<int>& q, std::string name, std::vector<int> items) {
  for (int item : items) {
    log(name + " putting " + std::to_string(item) + " full=" + py(q.full()));
    co_await q.put(item);
    log(name + " put " + std::to_string(item) + " qsize=" + std::to_string(q.qsize()));
  }
}

Coro<void> consumer(Queue<int>& q, std::string name, int n) {
  for (int i = 0; i < n; ++i) {
    const int item = co_await q.get();
    log(name + " got " + std::to_string(item) + " empty=" + py(q.empty()));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(queue_bounded_handoff) {
  Queue<int> q(1);
  log("maxsize=" + std::to_string(q.maxsize()) + " empty=" + py(q.empty()) +
      " full=" + py(q.full()));
  std::vector<Task<void>> tasks;
  tasks.push_back(create_task(consumer(q, "c1", 3), "c1"));
  tasks.push_back(create_task(producer(q, "p1", {1, 2, 3}), "p1"));
  tasks.push_back(create_task(producer(q, "p2", {10, 20, 30}), "p2"));
  tasks.push_back(create_task(consumer(q, "c2", 3), "c2"));
  for (Task<void>& t : tasks) co_await t;
  log("qsize=" + std::to_string(q.qsize()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
