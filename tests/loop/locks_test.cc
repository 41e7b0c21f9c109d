// Event, Lock, Semaphore, BoundedSemaphore, Condition, Barrier and LockGuard: every
// method, FIFO fairness, cancelled waiters (a cancelled waiter never takes the lock and
// passes a wakeup on), the errors, and the loop binding. Most cases follow CPython's
// Lib/test/test_asyncio/test_locks.py.
#include "loop/locks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;
using ::testing::HasSubstr;

// Runs `body` as the main task of a fresh loop.
template <class F>
void run_main(F body) {
  Loop loop;
  loop.run_until_complete(body());
}

// ---------------------------------------------------------------------------------------
// Event

// asyncio: `await lock.acquire()`, `await sem.acquire()`, `await event.wait()` and
// `await cond.wait()` return True, whether or not they had to wait.
TEST(LocksTest, AcquireAndWaitReturnTrueAsInAsyncio) {
  run_main([]() -> Coro<void> {
    Event event;
    Lock lock;
    Semaphore sem(1);
    Condition cond;
    EXPECT_TRUE(co_await lock.acquire());
    Task<bool> blocked = create_task(lock.acquire());
    co_await sleep(0s);
    lock.release();
    EXPECT_TRUE(co_await blocked);
    EXPECT_EQ(sem.value(), 1);
    EXPECT_TRUE(co_await sem.acquire());
    EXPECT_EQ(sem.value(), 0);
    Task<bool> waiting = create_task(sem.acquire());
    co_await sleep(0s);
    sem.release();
    EXPECT_TRUE(co_await waiting);
    EXPECT_EQ(sem.value(), 0);
    sem.release();
    EXPECT_EQ(sem.value(), 1);
    Task<bool> waiter = create_task(event.wait());
    co_await sleep(0s);
    event.set();
    EXPECT_TRUE(co_await waiter);
    EXPECT_TRUE(co_await event.wait());
    EXPECT_TRUE(co_await cond.acquire());
    // No captures: a task outlives the closure of the lambda that made its coroutine.
    Task<void> notifier = create_task([](Condition* cond) -> Coro<void> {
      auto guard = co_await cond->lock();
      cond->notify();
    }(&cond));
    EXPECT_TRUE(co_await cond.wait());
    cond.release();
    co_await notifier;
  });
}

TEST(EventTest, StartsClearAndSetClearToggleTheFlag) {
  Event ev;
  EXPECT_FALSE(ev.is_set());
  ev.set();
  EXPECT_TRUE(ev.is_set());
  ev.clear();
  EXPECT_FALSE(ev.is_set());
}

TEST(EventTest, WaitOnASetEventDoesNotYield) {
  EventLog log;
  run_main([&]() -> Coro<void> {
    Event ev;
    ev.set();
    Loop::current()->call_soon([&] { log("callback"); });
    co_await ev.wait();
    log("waited");
    co_await sleep(0s);
  });
  EXPECT_THAT(log.lines, ElementsAre("waited", "callback"));
}

TEST(EventTest, SetWakesEveryWaiterInTheOrderTheyWaited) {
  EventLog log;
  Event ev;
  auto waiter = [&](std::string name) -> Coro<void> {
    co_await ev.wait();
    log(name);
  };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(waiter("a"));
    Task<void> b = create_task(waiter("b"));
    Task<void> c = create_task(waiter("c"));
    co_await sleep(0s);
    log("set");
    ev.set();
    ev.set();  // no effect
    co_await a;
    co_await b;
    co_await c;
  });
  EXPECT_THAT(log.lines, ElementsAre("set", "a", "b", "c"));
}

TEST(EventTest, ClearAfterSetDoesNotUnwakeWaiters) {
  Event ev;
  bool woke = false;
  auto waiter = [&]() -> Coro<void> {
    co_await ev.wait();
    woke = true;
  };
  run_main([&]() -> Coro<void> {
    Task<void> t = create_task(waiter());
    co_await sleep(0s);
    ev.set();
    ev.clear();
    co_await t;
    EXPECT_FALSE(ev.is_set());
  });
  EXPECT_TRUE(woke);
}

TEST(EventTest, CancelledWaiterRaisesAndOthersStillWake) {
  Event ev;
  auto waiter = [&]() -> Coro<void> { co_await ev.wait(); };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(waiter());
    Task<void> b = create_task(waiter());
    co_await sleep(0s);
    a.cancel("stop");
    co_await sleep(0s);
    EXPECT_TRUE(a.cancelled());
    ev.set();
    co_await b;
    EXPECT_FALSE(b.cancelled());
  });
}

TEST(EventTest, SetSkipsAWaiterCancelledInTheSameStep) {
  Event ev;
  auto waiter = [&]() -> Coro<void> { co_await ev.wait(); };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(waiter());
    Task<void> b = create_task(waiter());
    co_await sleep(0s);
    a.cancel();
    ev.set();  // a's future is done already: not set again
    Outcome<void> ra = co_await as_outcome(a);
    EXPECT_TRUE(ra.cancelled());
    co_await b;
  });
}

TEST(EventTest, WaiterCancelledAfterSetWokeItStillRaises) {
  Event ev;
  auto waiter = [&]() -> Coro<void> { co_await ev.wait(); };
  run_main([&]() -> Coro<void> {
    Task<void> t = create_task(waiter());
    co_await sleep(0s);
    ev.set();
    t.cancel();
    Outcome<void> r = co_await as_outcome(t);
    EXPECT_TRUE(r.cancelled());
  });
}

// ---------------------------------------------------------------------------------------
// Lock

TEST(LockTest, AcquireOfAFreeLockDoesNotYield) {
  EventLog log;
  run_main([&]() -> Coro<void> {
    Lock lock;
    EXPECT_FALSE(lock.locked());
    Loop::current()->call_soon([&] { log("callback"); });
    co_await lock.acquire();
    log("acquired");
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
    co_await sleep(0s);
  });
  EXPECT_THAT(log.lines, ElementsAre("acquired", "callback"));
}

TEST(LockTest, ReleaseOfAnUnlockedLockThrowsOverReleaseError) {
  Lock lock;
  EXPECT_THROW(lock.release(), OverReleaseError);
  try {
    lock.release();
  } catch (const OverReleaseError& e) {
    EXPECT_STREQ(e.what(), "Lock is not acquired.");
  }
}

TEST(LockTest, WaitersGetTheLockInFifoOrder) {
  EventLog log;
  Lock lock;
  auto worker = [&](std::string name) -> Coro<void> {
    co_await lock.acquire();
    log(name + " in");
    co_await sleep(1s);
    log(name + " out");
    lock.release();
  };
  run_main([&]() -> Coro<void> {
    std::vector<Task<void>> tasks;
    for (const char* n : {"a", "b", "c"}) tasks.push_back(create_task(worker(n)));
    for (auto& t : tasks) co_await t;
  });
  EXPECT_THAT(log.lines, ElementsAre("a in", "a out", "b in", "b out", "c in", "c out"));
}

TEST(LockTest, ReleaserThatReacquiresQueuesBehindTheWaiters) {
  EventLog log;
  Lock lock;
  auto waiter = [&]() -> Coro<void> {
    co_await lock.acquire();
    log("waiter in");
    lock.release();
  };
  run_main([&]() -> Coro<void> {
    co_await lock.acquire();
    Task<void> w = create_task(waiter());
    co_await sleep(0s);
    lock.release();
    EXPECT_FALSE(lock.locked());  // free, but promised to the woken waiter
    co_await lock.acquire();      // so this queues
    log("main in again");
    lock.release();
    co_await w;
  });
  EXPECT_THAT(log.lines, ElementsAre("waiter in", "main in again"));
}

TEST(LockTest, CancelledWaiterIsRemovedAndNeverTakesTheLock) {
  Lock lock;
  run_main([&]() -> Coro<void> {
    co_await lock.acquire();
    Task<bool> t = create_task(lock.acquire());
    Loop::current()->call_soon([t]() mutable { t.cancel(); });
    Outcome<bool> r = co_await as_outcome(t);
    EXPECT_TRUE(r.cancelled());
    lock.release();
    EXPECT_FALSE(lock.locked());
    co_await lock.acquire();  // no stale waiter blocks it
    EXPECT_TRUE(lock.locked());
  });
}

// test_cancel_race: A holds, B and C wait; B is cancelled in the same step as A
// releases. C must get the lock, and the lock must not end up held by nobody.
TEST(LockTest, CancelRaceWithReleaseHandsTheLockToTheNextWaiter) {
  Lock lock;
  std::vector<std::string> got;
  auto lockit = [&](std::string name, std::optional<Future<void>> blocker) -> Coro<void> {
    co_await lock.acquire();
    got.push_back(name);
    if (blocker) co_await *blocker;
    lock.release();
  };
  run_main([&]() -> Coro<void> {
    Future<void> fa;
    Task<void> ta = create_task(lockit("A", fa));
    co_await sleep(0s);
    EXPECT_TRUE(lock.locked());
    Task<void> tb = create_task(lockit("B", std::nullopt));
    co_await sleep(0s);
    Task<void> tc = create_task(lockit("C", std::nullopt));
    co_await sleep(0s);
    fa.set_result();
    tb.cancel();
    co_await sleep(0s);
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(ta.done());
    EXPECT_TRUE(tb.cancelled());
    co_await tc;
  });
  EXPECT_THAT(got, ElementsAre("A", "C"));
}

// bpo-32734: cancel the first of three waiters and release in one callback: exactly one
// task takes the lock.
TEST(LockTest, CancelAndReleaseInOneCallbackLetsExactlyOneIn) {
  Lock lock;
  int lock_count = 0;
  auto lockit = [&]() -> Coro<void> {
    co_await lock.acquire();
    ++lock_count;
  };
  run_main([&]() -> Coro<void> {
    co_await lock.acquire();
    Task<void> t1 = create_task(lockit());
    Task<void> t2 = create_task(lockit());
    Task<void> t3 = create_task(lockit());
    co_await sleep(0s);
    Loop::current()->call_soon([&] {
      t1.cancel();
      lock.release();
    });
    Outcome<void> r = co_await as_outcome(t1);
    EXPECT_TRUE(r.cancelled());
    EXPECT_EQ(lock_count, 1);
    EXPECT_TRUE(t2.done());
    EXPECT_FALSE(t3.done());
    t3.cancel();
    co_await sleep(0s);
    EXPECT_TRUE(t3.cancelled());
  });
}

// test_finished_waiter_cancelled: the woken first waiter is cancelled before it runs;
// it must pass the wakeup to the second.
TEST(LockTest, WokenWaiterCancelledBeforeRunningPassesTheWakeupOn) {
  Lock lock;
  run_main([&]() -> Coro<void> {
    co_await lock.acquire();
    Task<bool> tb = create_task(lock.acquire());
    co_await sleep(0s);
    Task<bool> tc = create_task(lock.acquire());
    tb.cancel();
    lock.release();
    co_await sleep(0s);
    EXPECT_TRUE(lock.locked());
    EXPECT_TRUE(tb.cancelled());
    co_await tc;
    EXPECT_TRUE(lock.locked());
  });
}

TEST(LockTest, DeadlockReportNamesTheLock) {
  Lock lock;  // outlives the loop, which destroys the blocked task
  Loop loop;
  auto top = [&]() -> Coro<void> {
    co_await lock.acquire();
    co_await lock.acquire();  // never
  };
  try {
    loop.run_until_complete(top());
    FAIL() << "expected a deadlock";
  } catch (const DeadlockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("awaits Lock.acquire()"));
  }
}

// A deadlock report says which primitive each task waits on (where it was created) and
// its state: who holds the lock, the semaphore's value, the queue's contents.
TEST(LockTest, DeadlockReportNamesEachPrimitiveItsCreationSiteAndWhoHoldsIt) {
  Lock lock;
  const int lock_line = __LINE__ - 1;  // the line above
  Semaphore sem(0);
  const int sem_line = __LINE__ - 1;  // the line above
  Queue<int> queue(2);
  const int queue_line = __LINE__ - 1;  // the line above
  Event event;
  const int event_line = __LINE__ - 1;  // the line above
  Loop loop;
  int put_line = 0, acquire_line = 0;
  auto top = [&]() -> Coro<void> {
    put_line = __LINE__ + 6;
    Task<void> holder = create_task(
        [](Lock* lock, Queue<int>* q) -> Coro<void> {
          co_await lock->acquire();
          co_await q->put(1);
          co_await q->put(2);
          co_await q->put(3);  // full: blocks forever
        }(&lock, &queue),
        "holder");
    co_await sleep(0s);
    acquire_line = __LINE__ + 1;
    Task<bool> waiter = create_task(lock.acquire(), "waiter");
    Task<bool> sem_waiter = create_task(sem.acquire(), "sem-waiter");
    Task<bool> event_waiter = create_task(event.wait(), "event-waiter");
    co_await gather(holder, waiter, sem_waiter, event_waiter);
  };
  try {
    loop.run_until_complete(top());
    FAIL() << "expected a deadlock";
  } catch (const DeadlockError& e) {
    const std::string file = "tests/loop/locks_test.cc:";
    const std::string what = e.what();
    // Each await is named with its own line too (see DeadlockReportNamesTheLineOfEachAwait).
    auto at = [&](int line) { return " at " + file + std::to_string(line) + " of "; };
    EXPECT_THAT(what, HasSubstr("Task 'waiter' awaits Lock.acquire()" + at(acquire_line) +
                                "the Lock created at " + file + std::to_string(lock_line) +
                                ", held by Task 'holder'"));
    EXPECT_THAT(what, HasSubstr("Task 'sem-waiter' awaits Semaphore.acquire()" +
                                at(acquire_line + 1) + "the Semaphore created at " + file +
                                std::to_string(sem_line) + ", value 0"));
    EXPECT_THAT(what, HasSubstr("Task 'holder' awaits Queue.put()" + at(put_line) +
                                "the Queue created at " + file + std::to_string(queue_line) +
                                ", 2 items of at most 2"));
    EXPECT_THAT(
        what, HasSubstr("Task 'event-waiter' awaits Event.wait()" + at(acquire_line + 2) +
                        "the Event created at " + file + std::to_string(event_line) + ", not set"));
  }
}

// Blocked awaits, each recording the line of its co_await (plain functions rather than
// lambdas: a coroutine lambda's captures die with the lambda object).
Coro<void> lock_at(Lock* lock, int* line) {
  *line = __LINE__ + 1;
  auto guard = co_await lock->lock();
}
Coro<void> acquire_at(Semaphore* sem, int* line) {
  *line = __LINE__ + 1;
  co_await sem->acquire();
}
Coro<void> get_at(Queue<int>* queue, int* line) {
  *line = __LINE__ + 1;
  co_await queue->get();
}
Coro<void> wait_at(Event* event, int* line) {
  *line = __LINE__ + 1;
  co_await event->wait();
}
Coro<void> cond_wait_at(Condition* cond, int* line) {
  auto guard = co_await cond->lock();
  *line = __LINE__ + 1;
  co_await cond->wait();
}
Coro<void> barrier_wait_at(Barrier* barrier, int* line) {
  *line = __LINE__ + 1;
  co_await barrier->wait();
}

// A deadlock report names the line of each blocked await (the call that made the
// awaitable, in practice the co_await), beside the primitive and its state.
TEST(LockTest, DeadlockReportNamesTheLineOfEachAwait) {
  Lock lock;
  Semaphore sem(0);
  Queue<int> queue;
  Event event;
  Condition cond;
  Barrier barrier(2);
  int lock_line = 0, sem_line = 0, get_line = 0, event_line = 0, cond_line = 0, barrier_line = 0;
  Loop loop;
  auto top = [&]() -> Coro<void> {
    co_await lock.acquire();
    co_await gather(create_task(lock_at(&lock, &lock_line), "locker"),
                    create_task(acquire_at(&sem, &sem_line), "sem-waiter"),
                    create_task(get_at(&queue, &get_line), "getter"),
                    create_task(wait_at(&event, &event_line), "event-waiter"),
                    create_task(cond_wait_at(&cond, &cond_line), "cond-waiter"),
                    create_task(barrier_wait_at(&barrier, &barrier_line), "barrier-waiter"));
  };
  try {
    loop.run_until_complete(top());
    FAIL() << "expected a deadlock";
  } catch (const DeadlockError& e) {
    const std::string at = " at tests/loop/locks_test.cc:";
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("Task 'locker' awaits Lock.acquire()" + at +
                                std::to_string(lock_line) + " of the Lock created at"));
    EXPECT_THAT(what, HasSubstr("Task 'sem-waiter' awaits Semaphore.acquire()" + at +
                                std::to_string(sem_line) + " of the Semaphore"));
    EXPECT_THAT(what, HasSubstr("Task 'getter' awaits Queue.get()" + at + std::to_string(get_line) +
                                " of the Queue"));
    EXPECT_THAT(what, HasSubstr("Task 'event-waiter' awaits Event.wait()" + at +
                                std::to_string(event_line) + " of the Event"));
    EXPECT_THAT(what, HasSubstr("Task 'cond-waiter' awaits Condition.wait()" + at +
                                std::to_string(cond_line) + " of the Condition"));
    EXPECT_THAT(what, HasSubstr("Task 'barrier-waiter' awaits Condition.wait()" + at +
                                std::to_string(barrier_line) + " of the Condition"));
  }
}

TEST(LockTest, IsBoundToTheLoopOfItsFirstWait) {
  Lock lock;
  Loop first, second;  // both alive, so they cannot share an address
  {
    first.run_until_complete([&]() -> Coro<void> {
      co_await lock.acquire();
      Task<bool> t = create_task(lock.acquire());
      co_await sleep(0s);  // t waits: binds the lock to `first`
      lock.release();
      co_await t;
      lock.release();
    }());
  }
  auto top = [&]() -> Coro<void> {
    co_await lock.acquire();  // free: no waiter needed, works on any loop
    co_await lock.acquire();  // must wait: a waiter on `second` is refused
  };
  EXPECT_THROW(second.run_until_complete(top()), std::logic_error);
}

// ---------------------------------------------------------------------------------------
// LockGuard

TEST(LockGuardTest, ReleasesAtScopeExit) {
  run_main([&]() -> Coro<void> {
    Lock lock;
    {
      LockGuard<Lock> guard = co_await lock.lock();
      EXPECT_TRUE(guard.owns_lock());
      EXPECT_TRUE(lock.locked());
    }
    EXPECT_FALSE(lock.locked());
  });
}

TEST(LockGuardTest, ReleasesWhenTheBodyThrows) {
  Lock lock;
  auto body = [&]() -> Coro<void> {
    auto guard = co_await lock.lock();
    throw std::runtime_error("boom");
  };
  run_main([&]() -> Coro<void> {
    Outcome<void> r = co_await as_outcome(create_task(body()));
    EXPECT_TRUE(r.failed());
    EXPECT_FALSE(lock.locked());
  });
}

TEST(LockGuardTest, ReleasesWhenTheHolderIsCancelledAndTheNextWaiterGetsIt) {
  Lock lock;
  EventLog log;
  auto holder = [&]() -> Coro<void> {
    auto guard = co_await lock.lock();
    co_await sleep(10s);
  };
  auto next = [&]() -> Coro<void> {
    auto guard = co_await lock.lock();
    log("next in");
  };
  run_main([&]() -> Coro<void> {
    Task<void> h = create_task(holder());
    Task<void> n = create_task(next());
    co_await sleep(1s);
    h.cancel();
    co_await n;
    EXPECT_TRUE(h.cancelled());
    EXPECT_FALSE(lock.locked());
  });
  EXPECT_THAT(log.lines, ElementsAre("next in"));
}

TEST(LockGuardTest, UnlockReleasesEarlyAndMoveTransfersOwnership) {
  run_main([&]() -> Coro<void> {
    Lock lock;
    LockGuard<Lock> a = co_await lock.lock();
    LockGuard<Lock> b = std::move(a);
    EXPECT_FALSE(a.owns_lock());
    EXPECT_TRUE(b.owns_lock());
    b.unlock();
    EXPECT_FALSE(b);
    EXPECT_FALSE(lock.locked());
    LockGuard<Lock> c = co_await lock.lock();
    c = LockGuard<Lock>();  // move-assigning releases the old acquisition
    EXPECT_FALSE(lock.locked());
  });
}

TEST(LockGuardTest, ReleaseBehindTheGuardsBackGoesToTheExceptionHandler) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  loop.run_until_complete([]() -> Coro<void> {
    Lock lock;
    auto guard = co_await lock.lock();
    lock.release();  // misuse: the guard's release fails
  }());
  EXPECT_THAT(errors, ElementsAre(HasSubstr("LockGuard failed to release")));
}

// ---------------------------------------------------------------------------------------
// Semaphore and BoundedSemaphore

TEST(SemaphoreTest, NegativeInitialValueIsInvalid) {
  EXPECT_THROW(Semaphore(-1), std::invalid_argument);
  EXPECT_THROW(BoundedSemaphore(-1), std::invalid_argument);
}

TEST(SemaphoreTest, InitialValueZeroIsLocked) { EXPECT_TRUE(Semaphore(0).locked()); }

TEST(SemaphoreTest, AcquireCountsDownAndReleaseCountsUp) {
  run_main([&]() -> Coro<void> {
    Semaphore sem(2);
    co_await sem.acquire();
    EXPECT_FALSE(sem.locked());
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
    sem.release();
    EXPECT_FALSE(sem.locked());
    sem.release();
    sem.release();  // a plain semaphore may go above its initial value
    for (int i = 0; i < 3; ++i) co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
  });
}

// test_acquire_fifo_order_2.
TEST(SemaphoreTest, WaitersAreServedFifoEvenWhenOneReleasesAndReacquires) {
  Semaphore sem(1);
  std::vector<int> result;
  auto c1 = [&]() -> Coro<void> {
    co_await sem.acquire();
    result.push_back(1);
  };
  auto c2 = [&]() -> Coro<void> {
    co_await sem.acquire();
    result.push_back(2);
    sem.release();
    co_await sem.acquire();
    result.push_back(4);
  };
  auto c3 = [&]() -> Coro<void> {
    co_await sem.acquire();
    result.push_back(3);
  };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(c1()), t2 = create_task(c2()), t3 = create_task(c3());
    co_await sleep(0s);
    sem.release();
    sem.release();
    co_await t1;
    co_await t2;
    co_await t3;
  });
  EXPECT_THAT(result, ElementsAre(1, 2, 3, 4));
}

// test_acquire_fifo_order_3: a cancelled waiter is skipped.
TEST(SemaphoreTest, CancelledWaiterIsSkipped) {
  Semaphore sem(0);
  std::vector<int> result;
  auto c = [&](int i) -> Coro<void> {
    co_await sem.acquire();
    result.push_back(i);
  };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(c(1)), t2 = create_task(c(2)), t3 = create_task(c(3));
    co_await sleep(0s);
    t1.cancel();
    co_await sleep(0s);
    sem.release();
    sem.release();
    Outcome<void> r1 = co_await as_outcome(t1);
    EXPECT_TRUE(r1.cancelled());
    co_await t2;
    co_await t3;
  });
  EXPECT_THAT(result, ElementsAre(2, 3));
}

// test_acquire_cancel_before_awoken.
TEST(SemaphoreTest, WaitersCancelledBeforeReleaseDoNotConsumeIt) {
  Semaphore sem(0);
  auto acq = [&]() -> Coro<void> { co_await sem.acquire(); };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(acq()), t2 = create_task(acq()), t3 = create_task(acq()),
               t4 = create_task(acq());
    co_await sleep(0s);
    t1.cancel();
    t2.cancel();
    sem.release();
    co_await sleep(0s);
    co_await sleep(0s);
    EXPECT_TRUE(t3.done());
    EXPECT_FALSE(t3.cancelled());
    EXPECT_FALSE(t4.done());
    t4.cancel();
    co_await sleep(0s);
    EXPECT_TRUE(t4.cancelled());
  });
}

// test_acquire_hang: a waiter woken then cancelled returns its unit to the next waiter.
TEST(SemaphoreTest, WokenWaiterCancelledGivesTheUnitToTheNext) {
  Semaphore sem(0);
  auto acq = [&]() -> Coro<void> { co_await sem.acquire(); };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(acq()), t2 = create_task(acq());
    co_await sleep(0s);
    sem.release();  // wakes t1
    t1.cancel();
    co_await sleep(0s);
    co_await sleep(0s);
    EXPECT_TRUE(t1.cancelled());
    EXPECT_TRUE(t2.done());
    EXPECT_FALSE(t2.cancelled());
    EXPECT_TRUE(sem.locked());  // the one unit went to t2
  });
}

TEST(SemaphoreTest, GuardReleasesTheUnit) {
  run_main([&]() -> Coro<void> {
    Semaphore sem(1);
    {
      LockGuard<Semaphore> g = co_await sem.lock();
      EXPECT_TRUE(sem.locked());
    }
    EXPECT_FALSE(sem.locked());
  });
}

TEST(BoundedSemaphoreTest, ReleaseAboveTheInitialValueThrowsAndChangesNothing) {
  run_main([&]() -> Coro<void> {
    BoundedSemaphore sem(1);
    EXPECT_THROW(sem.release(), OverReleaseError);
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());
    sem.release();
    try {
      sem.release();
      ADD_FAILURE() << "expected OverReleaseError";
    } catch (const OverReleaseError& e) {
      EXPECT_STREQ(e.what(), "BoundedSemaphore released too many times");
    }
    co_await sem.acquire();
    EXPECT_TRUE(sem.locked());  // still one unit, not two
  });
}

TEST(BoundedSemaphoreTest, OverReleaseThroughASemaphoreReferenceIsCaughtToo) {
  BoundedSemaphore bounded(1);
  Semaphore& plain = bounded;
  EXPECT_THROW(plain.release(), OverReleaseError);
}

// ---------------------------------------------------------------------------------------
// Condition

TEST(ConditionTest, WaitAndNotifyRequireTheLock) {
  Condition cond;
  EXPECT_THROW(cond.notify(), std::logic_error);
  EXPECT_THROW(cond.notify_all(), std::logic_error);
  run_main([&]() -> Coro<void> {
    bool threw = false;
    try {
      co_await cond.wait();
    } catch (const std::logic_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    threw = false;
    try {
      co_await cond.wait_for([] { return false; });
    } catch (const std::logic_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    co_await cond.wait_for([] { return true; });  // no wait, no lock needed
  });
}

// test_notify: notify(1), notify(2), notify(1) wake the oldest waiters first.
TEST(ConditionTest, NotifyWakesTheOldestWaitersFirst) {
  Condition cond;
  std::vector<int> result;
  auto waiter = [&](int i) -> Coro<void> {
    auto guard = co_await cond.lock();
    co_await cond.wait();
    result.push_back(i);
  };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(waiter(1)), t2 = create_task(waiter(2)),
               t3 = create_task(waiter(3));
    co_await sleep(0s);
    EXPECT_TRUE(result.empty());
    co_await cond.acquire();
    cond.notify(1);
    cond.release();
    co_await sleep(0s);
    EXPECT_THAT(result, ElementsAre(1));
    co_await cond.acquire();
    cond.notify(1);
    cond.notify(2048);
    cond.release();
    co_await t1;
    co_await t2;
    co_await t3;
  });
  EXPECT_THAT(result, ElementsAre(1, 2, 3));
}

// notify(n) counts only waiters it actually wakes: one cancelled in this step is skipped.
TEST(ConditionTest, NotifySkipsAWaiterCancelledInTheSameStep) {
  Condition cond;
  std::vector<int> result;
  auto waiter = [&](int i) -> Coro<void> {
    auto guard = co_await cond.lock();
    co_await cond.wait();
    result.push_back(i);
  };
  run_main([&]() -> Coro<void> {
    Task<void> t1 = create_task(waiter(1)), t2 = create_task(waiter(2));
    co_await sleep(0s);
    co_await cond.acquire();
    t1.cancel();
    cond.notify(1);  // wakes t2
    cond.release();
    Outcome<void> r1 = co_await as_outcome(t1);
    EXPECT_TRUE(r1.cancelled());
    co_await t2;
  });
  EXPECT_THAT(result, ElementsAre(2));
}

TEST(ConditionTest, NotifyAllWakesEveryWaiterInOrder) {
  Condition cond;
  std::vector<int> result;
  auto waiter = [&](int i) -> Coro<void> {
    auto guard = co_await cond.lock();
    co_await cond.wait();
    result.push_back(i);
  };
  run_main([&]() -> Coro<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 4; ++i) tasks.push_back(create_task(waiter(i)));
    co_await sleep(0s);
    {
      auto guard = co_await cond.lock();
      cond.notify_all();
      EXPECT_TRUE(result.empty());  // the lock is still ours
    }
    for (auto& t : tasks) co_await t;
  });
  EXPECT_THAT(result, ElementsAre(0, 1, 2, 3));
}

TEST(ConditionTest, WaitForRechecksThePredicateAndReturnsItsValue) {
  Condition cond;
  int value = 0;
  int checks = 0;
  auto waiter = [&]() -> Coro<int> {
    auto guard = co_await cond.lock();
    co_return co_await cond.wait_for([&] {
      ++checks;
      return value >= 2 ? value : 0;
    });
  };
  run_main([&]() -> Coro<void> {
    Task<int> t = create_task(waiter());
    co_await sleep(0s);
    for (int v = 1; v <= 2; ++v) {
      auto guard = co_await cond.lock();
      value = v;
      cond.notify();
      guard.unlock();
      co_await sleep(0s);
    }
    const int v = co_await t;
    EXPECT_EQ(v, 2);
  });
  EXPECT_EQ(checks, 3);
}

// test_wait_cancel: cancelled while waiting, wait() re-acquires the lock before raising.
TEST(ConditionTest, CancelledWaitReacquiresTheLockBeforeRaising) {
  Condition cond;
  run_main([&]() -> Coro<void> {
    co_await cond.acquire();
    Task<bool> w = create_task(cond.wait());
    Loop::current()->call_soon([w]() mutable { w.cancel(); });
    Outcome<bool> r = co_await as_outcome(w);
    EXPECT_TRUE(r.cancelled());
    EXPECT_TRUE(cond.locked());
  });
}

// test_wait_cancel_contested: notified, then cancelled while the lock is contested:
// wait() still returns holding the lock (the cancel landed on no cancellation point).
TEST(ConditionTest, NotifiedThenCancelledWhileLockContestedStillHoldsTheLock) {
  Condition cond;
  run_main([&]() -> Coro<void> {
    co_await cond.acquire();
    Task<bool> w = create_task(cond.wait());
    co_await sleep(0s);
    EXPECT_FALSE(cond.locked());
    co_await cond.acquire();
    cond.notify();
    Loop::current()->call_soon([w]() mutable { w.cancel(); });
    Loop::current()->call_soon([&] { cond.release(); });
    co_await as_outcome(w);
    EXPECT_TRUE(cond.locked());
  });
}

// bpo-32841: cancelled after notify while waiting to re-acquire.
TEST(ConditionTest, CancelledAfterNotifyWaitsForTheLockThenRaises) {
  Condition cond;
  bool waited = false;
  auto wait_on_cond = [&]() -> Coro<void> {
    auto guard = co_await cond.lock();
    waited = true;
    co_await cond.wait();
  };
  run_main([&]() -> Coro<void> {
    Task<void> waiter = create_task(wait_on_cond());
    co_await sleep(0s);
    co_await cond.acquire();
    cond.notify();
    co_await sleep(0s);
    waiter.cancel();
    co_await sleep(0s);
    EXPECT_FALSE(waiter.done());  // still waiting for the lock
    cond.release();
    co_await sleep(0s);
    EXPECT_TRUE(waiter.cancelled());
    EXPECT_FALSE(cond.locked());
  });
  EXPECT_TRUE(waited);
}

TEST(ConditionTest, CancelWhileReacquiringIsRetriedThenRaisedWithoutMessage) {
  Condition cond;
  std::string seen = "none";
  auto waiter = [&]() -> Coro<void> {
    auto guard = co_await cond.lock();
    try {
      co_await cond.wait();
    } catch (const CancelledError& e) {
      seen = "msg=" + e.message() + " locked=" + (cond.locked() ? "1" : "0");
      throw;
    }
  };
  run_main([&]() -> Coro<void> {
    Task<void> w = create_task(waiter());
    co_await sleep(0s);
    co_await cond.acquire();
    w.cancel("first");
    co_await sleep(0s);
    w.cancel("second");
    co_await sleep(0s);
    cond.release();
    co_await as_outcome(w);
  });
  EXPECT_EQ(seen, "msg= locked=1");
}

TEST(ConditionTest, ConditionsCanShareALock) {
  Lock lock;
  Condition a(lock), b(lock);
  run_main([&]() -> Coro<void> {
    auto guard = co_await a.lock();
    EXPECT_TRUE(lock.locked());
    EXPECT_TRUE(b.locked());
    b.notify();  // allowed: the shared lock is held
  });
  EXPECT_FALSE(lock.locked());
}

// ---------------------------------------------------------------------------------------
// Barrier

TEST(BarrierTest, PartiesMustBePositive) {
  EXPECT_THROW(Barrier(0), std::invalid_argument);
  EXPECT_THROW(Barrier(-1), std::invalid_argument);
  Barrier b(3);
  EXPECT_EQ(b.parties(), 3);
  EXPECT_EQ(b.n_waiting(), 0);
  EXPECT_FALSE(b.broken());
  EXPECT_EQ(b.state(), Barrier::State::kFilling);
  EXPECT_STREQ(to_string(b.state()), "filling");
}

// asyncio's repr shows [filling|draining|resetting|broken, waiters:n/parties].
TEST(BarrierTest, StateAndWaitersFollowTheRound) {
  Barrier barrier(2);
  std::vector<std::string> seen;
  run_main([&]() -> Coro<void> {
    auto observe = [&] {
      seen.push_back(std::string(to_string(barrier.state())) + " " +
                     std::to_string(barrier.n_waiting()));
    };
    Task<int> a = create_task(barrier.wait());
    co_await sleep(0s);
    observe();  // filling 1
    Task<int> b = create_task(barrier.wait());
    co_await sleep(0s);
    observe();  // draining: b released the round, a has not left yet
    co_await a;
    co_await b;
    observe();  // filling 0 again
    Task<int> c = create_task(barrier.wait());
    co_await sleep(0s);
    co_await barrier.reset();
    observe();  // resetting: c must still leave with BrokenBarrierError
    EXPECT_THROW(co_await c, BrokenBarrierError);
    observe();
    co_await barrier.abort();
    observe();
  });
  EXPECT_THAT(seen, ElementsAre("filling 1", "draining 0", "filling 0", "resetting 0", "filling 0",
                                "broken 0"));
}

TEST(BarrierTest, OnePartyPassesAtOnceEveryTime) {
  run_main([&]() -> Coro<void> {
    Barrier b(1);
    const int first = co_await b.wait();
    const int second = co_await b.wait();
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 0);
    EXPECT_EQ(b.n_waiting(), 0);
  });
}

TEST(BarrierTest, ReleasesAllPartiesWithUniqueIndexes) {
  Barrier barrier(3);
  std::vector<std::string> log;
  auto party = [&](std::string name) -> Coro<void> {
    const int index = co_await barrier.wait();
    log.push_back(name + "=" + std::to_string(index));
  };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(party("a")), b = create_task(party("b"));
    co_await sleep(0s);
    EXPECT_EQ(barrier.n_waiting(), 2);
    Task<void> c = create_task(party("c"));
    co_await a;
    co_await b;
    co_await c;
  });
  EXPECT_THAT(log, ElementsAre("c=2", "a=0", "b=1"));
}

// test_blocking_tasks_while_draining: arrivals during draining wait for the next round.
TEST(BarrierTest, ArrivalsWhileDrainingWaitForTheNextRound) {
  Barrier barrier(2);
  std::vector<std::string> log;
  auto party = [&](std::string name) -> Coro<void> {
    const int index = co_await barrier.wait();
    log.push_back(name + "=" + std::to_string(index));
  };
  run_main([&]() -> Coro<void> {
    std::vector<Task<void>> tasks;
    for (const char* n : {"a", "b", "c", "d"}) tasks.push_back(create_task(party(n)));
    for (auto& t : tasks) co_await t;
  });
  EXPECT_THAT(log, ElementsAre("b=1", "a=0", "d=1", "c=0"));
}

TEST(BarrierTest, ResetBreaksCurrentWaitersAndReopens) {
  Barrier barrier(3);
  int broken = 0;
  auto party = [&]() -> Coro<void> {
    try {
      co_await barrier.wait();
    } catch (const BrokenBarrierError& e) {
      EXPECT_STREQ(e.what(), "Abort or reset of barrier");
      ++broken;
    }
  };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(party()), b = create_task(party());
    co_await sleep(0s);
    co_await barrier.reset();
    co_await a;
    co_await b;
    EXPECT_EQ(broken, 2);
    EXPECT_FALSE(barrier.broken());
    std::vector<Task<void>> round;
    for (int i = 0; i < 3; ++i) round.push_back(create_task(party()));
    for (auto& t : round) co_await t;
    EXPECT_EQ(broken, 2);  // the next round passes
  });
}

TEST(BarrierTest, AbortBreaksWaitersAndLaterCallsUntilReset) {
  Barrier barrier(2);
  std::vector<std::string> errors;
  auto party = [&]() -> Coro<void> {
    try {
      co_await barrier.wait();
    } catch (const BrokenBarrierError& e) {
      errors.push_back(e.what());
    }
  };
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(party());
    co_await sleep(0s);
    co_await barrier.abort();
    EXPECT_TRUE(barrier.broken());
    co_await a;
    co_await party();
    co_await barrier.reset();
    EXPECT_FALSE(barrier.broken());
    Task<void> b = create_task(party()), c = create_task(party());
    co_await b;
    co_await c;
  });
  EXPECT_THAT(errors, ElementsAre("Abort or reset of barrier", "Barrier aborted"));
}

TEST(BarrierTest, CancelledWaiterLeavesTheRound) {
  Barrier barrier(2);
  run_main([&]() -> Coro<void> {
    Task<int> a = create_task(barrier.wait());
    co_await sleep(0s);
    EXPECT_EQ(barrier.n_waiting(), 1);
    a.cancel();
    co_await sleep(0s);
    EXPECT_TRUE(a.cancelled());
    EXPECT_EQ(barrier.n_waiting(), 0);
    Task<int> b = create_task(barrier.wait()), c = create_task(barrier.wait());
    const int ib = co_await b;
    const int ic = co_await c;
    EXPECT_EQ(ib, 0);
    EXPECT_EQ(ic, 1);
  });
}

}  // namespace
}  // namespace lockstep
