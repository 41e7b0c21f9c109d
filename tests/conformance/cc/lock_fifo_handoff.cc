// Port of scenarios/lock_fifo_handoff.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> worker(Lock& lock, std::string name) {
  for (int r = 0; r < 2; ++r) {
    co_await lock.acquire();
    log(name + " acquired round " + std::to_string(r));
    co_await sleep(1s);
    lock.release();
    log(name + " released round " + std::to_string(r) + " locked=" + py(lock.locked()));
  }
  log(name + " done");
}

CONFORMANCE_SCENARIO(lock_fifo_handoff) {
  Lock lock;
  std::vector<Task<void>> tasks;
  for (const char* n : {"a", "b", "c"}) tasks.push_back(create_task(worker(lock, n), n));
  co_await sleep(0s);
  log("locked=" + py(lock.locked()));
  for (Task<void>& t : tasks) co_await t;
  log("locked=" + py(lock.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
