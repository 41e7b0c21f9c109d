// Compiled by nodiscard_test.sh, never linked: every statement marked DISCARDED must be
// refused by -Werror=unused-result (a forgotten co_await silently does nothing); with
// -DAWAITED the same statements are awaited and the file must compile cleanly.
#include <vector>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

#ifdef AWAITED
#define USE(x) co_await x
// A guard is [[nodiscard]] itself (dropping it releases at once): awaited, it is kept.
#define KEEP(x) [[maybe_unused]] auto guard = co_await x
#else
#define USE(x) x
#define KEEP(x) x
#endif

namespace {

lockstep::Coro<int> work() { co_return 1; }

lockstep::Coro<void> everything() {
  lockstep::Event event;
  lockstep::Lock lock;
  lockstep::Semaphore sem;
  lockstep::Condition cond;
  lockstep::Barrier barrier(1);
  lockstep::Queue<int> queue;
  lockstep::Task<int> task = lockstep::create_task(work());
  std::vector<lockstep::Task<int>> tasks{task};
  USE(lockstep::sleep(1s));                           // DISCARDED sleep
  USE(lockstep::sleep_until(lockstep::TimePoint{}));  // DISCARDED sleep_until
  USE(event.wait());                                  // DISCARDED Event::wait
  USE(lock.acquire());                                // DISCARDED Lock::acquire
  lock.release();
  KEEP(lock.lock());   // DISCARDED Lock::lock
  USE(sem.acquire());  // DISCARDED Semaphore::acquire
  sem.release();
  USE(cond.acquire());  // DISCARDED Condition::acquire
  USE(cond.wait());     // DISCARDED Condition::wait
  cond.release();
  USE(barrier.wait());                         // DISCARDED Barrier::wait
  USE(queue.put(1));                           // DISCARDED Queue::put
  USE(queue.get());                            // DISCARDED Queue::get
  USE(queue.join());                           // DISCARDED Queue::join
  USE(lockstep::shield(task));                 // DISCARDED shield
  USE(lockstep::gather(task));                 // DISCARDED gather
  USE(lockstep::gather(tasks));                // DISCARDED gather range
  USE(lockstep::wait(tasks));                  // DISCARDED wait
  USE(lockstep::wait_for(work(), 1s));         // DISCARDED wait_for
  USE(lockstep::as_outcome(task));             // DISCARDED as_outcome
  USE(lockstep::to_thread([] { return 1; }));  // DISCARDED to_thread
  USE(work());                                 // DISCARDED Coro
#ifndef AWAITED
  lockstep::timeout(1s);                        // DISCARDED timeout
  lockstep::timeout_at(lockstep::TimePoint{});  // DISCARDED timeout_at
#endif
}

}  // namespace

lockstep::Coro<void> (*keep)() = everything;
