// Port of scenarios/semaphore_fifo_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> c1(Semaphore& sem) {
  co_await sem.acquire();
  log("c1 acquired");
}

Coro<void> c2(Semaphore& sem) {
  co_await sem.acquire();
  log("c2 acquired");
  sem.release();
  log("c2 released locked=" + py(sem.locked()));
  co_await sem.acquire();
  log("c2 acquired again");
}

Coro<void> c3(Semaphore& sem) {
  co_await sem.acquire();
  log("c3 acquired locked=" + py(sem.locked()));
}

CONFORMANCE_SCENARIO(semaphore_fifo_order) {
  Semaphore sem(1);
  std::vector<Task<void>> tasks;
  tasks.push_back(create_task(c1(sem), "c1"));
  tasks.push_back(create_task(c2(sem), "c2"));
  tasks.push_back(create_task(c3(sem), "c3"));
  co_await sleep(0s);
  log("locked=" + py(sem.locked()));
  sem.release();
  sem.release();
  log("released twice locked=" + py(sem.locked()));
  for (Task<void>& t : tasks) co_await t;
  log("locked=" + py(sem.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
