// Port of scenarios/queue_cancelled_put.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> putter(Queue<std::string>& q, std::string item) {
  try {
    co_await q.put(item);
  } catch (const CancelledError&) {
    log("put " + item + " cancelled qsize=" + std::to_string(q.qsize()));
    throw;
  }
  log("put " + item + " done");
}

CONFORMANCE_SCENARIO(queue_cancelled_put) {
  Queue<std::string> q(1);
  std::vector<Task<void>> tasks;
  for (const char* x : {"a", "b", "X", "c", "d"})
    tasks.push_back(create_task(putter(q, x), std::string("put-") + x));
  co_await sleep(0s);
  tasks[2].cancel();  // X: waiting
  co_await sleep(0s);
  log("got " + q.get_nowait());  // wakes b
  co_await sleep(0s);
  log("got " + q.get_nowait());  // wakes c
  tasks[3].cancel();             // c: woken, then cancelled: wakes d
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const CancelledError&) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()));
    }
  }
  const std::size_t qsize = q.qsize();
  log("qsize=" + std::to_string(qsize) + " got " + q.get_nowait());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
