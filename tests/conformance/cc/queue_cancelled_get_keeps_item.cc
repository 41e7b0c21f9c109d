// Port of scenarios/queue_cancelled_get_keeps_item.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> reader(Queue<std::string>& q, std::string name) {
  std::string item;
  try {
    item = co_await q.get();
  } catch (const CancelledError&) {
    log(name + " cancelled qsize=" + std::to_string(q.qsize()));
    throw;
  }
  log(name + " got " + item);
}

CONFORMANCE_SCENARIO(queue_cancelled_get_keeps_item) {
  Queue<std::string> q;
  std::vector<Task<void>> tasks;
  for (const char* n : {"r1", "r2", "r3", "r4"}) tasks.push_back(create_task(reader(q, n), n));
  co_await sleep(0s);
  tasks[1].cancel();  // r2: still waiting
  co_await sleep(0s);
  q.put_nowait("a");  // wakes r1
  q.put_nowait("b");  // wakes r3 (r2's future is gone)
  tasks[0].cancel();  // r1: woken, then cancelled
  log("put a and b, cancelled r1 qsize=" + std::to_string(q.qsize()));
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const CancelledError&) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()));
    }
  }
  log("qsize=" + std::to_string(q.qsize()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
