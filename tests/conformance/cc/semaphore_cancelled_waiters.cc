// Port of scenarios/semaphore_cancelled_waiters.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> acquirer(Semaphore& sem, std::string name) {
  try {
    co_await sem.acquire();
  } catch (const CancelledError&) {
    log(name + " cancelled locked=" + py(sem.locked()));
    throw;
  }
  log(name + " acquired");
}

CONFORMANCE_SCENARIO(semaphore_cancelled_waiters) {
  Semaphore sem(0);
  std::vector<Task<void>> tasks;
  for (const char* n : {"t1", "t2", "t3", "t4", "t5"})
    tasks.push_back(create_task(acquirer(sem, n), n));
  co_await sleep(0s);
  tasks[0].cancel();
  tasks[1].cancel();
  sem.release();
  log("released locked=" + py(sem.locked()));
  co_await sleep(0s);
  co_await sleep(0s);
  std::string done = "done:";
  for (Task<void>& t : tasks) done += " " + t.get_name() + "=" + py(t.done());
  log(done);
  sem.release();
  tasks[3].cancel();  // t4: woken by that release, cancelled before it runs
  log("released again, cancelled t4");
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const CancelledError&) {
    }
  }
  std::string cancelled = "cancelled:";
  for (Task<void>& t : tasks) cancelled += " " + t.get_name() + "=" + py(t.cancelled());
  log(cancelled);
  log("locked=" + py(sem.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
