// Port of scenarios/queue_getters_fifo.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> getter(Queue<std::string>& q, std::string name) {
  const std::string item = co_await q.get();
  log(name + " got " + item);
}

CONFORMANCE_SCENARIO(queue_getters_fifo) {
  Queue<std::string> q;
  std::vector<Task<void>> tasks;
  for (const char* n : {"g1", "g2", "g3"}) tasks.push_back(create_task(getter(q, n), n));
  co_await sleep(0s);
  q.put_nowait("a");  // wakes g1
  log("main took " + q.get_nowait() + " before g1 ran");
  co_await sleep(0s);
  log("g1 is waiting again");
  q.put_nowait("b");
  q.put_nowait("c");
  q.put_nowait("d");
  for (Task<void>& t : tasks) co_await t;
  log("qsize=" + std::to_string(q.qsize()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
