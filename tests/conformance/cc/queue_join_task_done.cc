// Port of scenarios/queue_join_task_done.py. The worker is cancelled but never awaited,
// so it outlives main's frame: it shares ownership of the queue.
#include <memory>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> worker(std::shared_ptr<Queue<int>> q) {
  for (;;) {
    const int item = co_await q->get();
    co_await sleep(std::chrono::seconds(item));
    log("worker finished " + std::to_string(item));
    q->task_done();
  }
}

Coro<void> joiner(Queue<int>& q, std::string name) {
  co_await q.join();
  log(name + " joined qsize=" + std::to_string(q.qsize()));
}

CONFORMANCE_SCENARIO(queue_join_task_done) {
  auto q = std::make_shared<Queue<int>>();
  co_await q->join();
  log("join on a fresh queue returned");
  for (int item : {1, 2, 1}) q->put_nowait(item);
  Task<void> w = create_task(worker(q), "worker");
  std::vector<Task<void>> joiners;
  for (const char* n : {"j1", "j2"}) joiners.push_back(create_task(joiner(*q, n), n));
  co_await q->join();
  log("main joined");
  for (Task<void>& j : joiners) co_await j;
  w.cancel();
  try {
    q->task_done();
  } catch (const OverReleaseError& e) {
    log(std::string("task_done raised ValueError: ") + e.what());
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
