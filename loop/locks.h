// Synchronization primitives for the tasks of one loop (asyncio.locks): Event, Lock,
// Semaphore, BoundedSemaphore, Condition, Barrier, and LockGuard for "acquire, work,
// always release".
//
//   lockstep::Lock lock;
//   lockstep::Event ready;
//
//   lockstep::Coro<void> worker(lockstep::Lock& lock, lockstep::Event& ready, int& n) {
//     co_await ready.wait();                 // until someone calls ready.set()
//     auto guard = co_await lock.lock();     // `async with lock:`
//     const int seen = n;
//     co_await lockstep::sleep(1ms);         // others queue up on the lock, FIFO
//     n = seen + 1;
//   }                                        // the guard releases, even on an exception
//
//   lockstep::Condition cond;                // consumer side of a condition variable
//   auto guard = co_await cond.lock();
//   co_await cond.wait_for([&] { return !items.empty(); });
//
// Semantics are CPython 3.11.7's asyncio/locks.py, statement for statement, so the order
// in which waiters wake, the loop iterations each operation takes and what a cancellation
// does are asyncio's:
// - Waiting means awaiting a fresh Future<void> created on the running loop and kept in a
//   FIFO list; a primitive is bound to the loop of its first wait (using it from another
//   loop throws std::logic_error). Every waiting method is a Coro: `co_await` runs it
//   inline, and when it need not wait it returns without yielding to the loop.
// - Waking a waiter completes its future; the waiter runs later, through the ready queue.
//   Release hands the lock to the *first* waiter; a waiter cancelled after it was woken
//   does not take the lock and passes the wakeup on (Lock, Semaphore). A free lock is
//   taken at once only if no live waiter queues for it, so nobody overtakes a woken
//   waiter that has not run yet.
// - Cancellation raises CancelledError at the await, as for any future. Condition::wait()
//   always re-acquires the lock before it returns or throws.
// Primitives are neither copyable nor movable (waiting coroutines refer to them); they
// must outlive their waiters.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "loop/coro.h"
#include "loop/internal/waiters.h"
#include "loop/source_location.h"

namespace lockstep {

// Released more often than acquired: Lock::release() of an unlocked Lock (asyncio raises
// RuntimeError), BoundedSemaphore::release() above its initial value, or
// Queue::task_done() called more often than items were put (asyncio: ValueError). Always
// a bug in the caller; the message is asyncio's.
class OverReleaseError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Barrier::wait() on a barrier that was aborted, or reset while the caller waited
// (asyncio.BrokenBarrierError).
class BrokenBarrierError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace internal {
// Reports a release() that threw in ~LockGuard to the running loop, if any.
inline void report_guard_release_error(std::exception_ptr e) noexcept {
  if (Loop* loop = Loop::current())
    loop->call_exception_handler({"LockGuard failed to release", std::move(e), ""});
}
}  // namespace internal

// Owns one acquisition of a Lock, Semaphore or Condition and releases it when destroyed:
// the C++ form of `async with lock:`. Obtained from `co_await x.lock()`. Move-only.
//
//   {
//     auto guard = co_await sem.lock();
//     co_await use_resource();       // may throw or be cancelled: released either way
//   }
//
// The owner must not also release() the primitive by hand; use unlock() to release early.
// If the destructor's release() throws (the primitive was released behind the guard's
// back), the error goes to the running loop's exception handler, not to the caller: a
// destructor must not throw. At Loop::close(), when a task's coroutine is destroyed
// while suspended in Condition::wait() (its lock not re-acquired), it is ignored.
template <class Primitive>
class [[nodiscard]] LockGuard {
 public:
  LockGuard() noexcept = default;
  // Adopts an acquisition the caller already made.
  explicit LockGuard(Primitive& acquired) noexcept : p_(&acquired) {}
  LockGuard(LockGuard&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  LockGuard& operator=(LockGuard&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  ~LockGuard() { reset(); }

  // True iff this guard still owns an acquisition.
  bool owns_lock() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return owns_lock(); }
  // Releases now. Precondition: owns_lock().
  void unlock() { std::exchange(p_, nullptr)->release(); }

 private:
  void reset() noexcept {
    if (!p_) return;
    try {
      std::exchange(p_, nullptr)->release();
    } catch (...) {
      internal::report_guard_release_error(std::current_exception());
    }
  }
  Primitive* p_ = nullptr;  // the acquired primitive, or null
};

// asyncio.Event: a flag tasks can wait for.
class Event : private internal::Diagnosable {
 public:
  // `created`: where, for deadlock reports ("the Event created at main.cc:12").
  explicit Event(SourceLocation created = SourceLocation::current()) : created_(created) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // True iff the flag is set.
  bool is_set() const noexcept { return value_; }
  // Sets the flag and wakes every waiter (each resumes through the ready queue, in the
  // order they started waiting). No effect if already set.
  void set();
  // Resets the flag. Waiters already woken by set() still return.
  void clear() noexcept { value_ = false; }
  // Returns at once if the flag is set; otherwise waits until set() is called. Returns
  // true, as asyncio's Event.wait() does. `where` (every waiting method below takes it):
  // the caller's line, which deadlock reports and cancellation fuzzing name.
  [[nodiscard]] Coro<bool> wait(SourceLocation where = SourceLocation::current());

 private:
  std::string diagnosis() const override;

  internal::LoopBound bound_;
  internal::Waiters waiters_;  // one future per waiting task, in arrival order
  bool value_ = false;
  SourceLocation created_;
};

// asyncio.Lock: a mutual-exclusion lock, not owned by any task, handed to waiters in
// FIFO order.
class Lock : private internal::Diagnosable {
 public:
  // `created`: where, for deadlock reports ("the Lock created at pool.cc:12, held by
  // Task 'a'").
  explicit Lock(SourceLocation created = SourceLocation::current()) : created_(created) {}
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // True iff the lock is held.
  bool locked() const noexcept { return locked_; }
  // Takes the lock: at once (no yield) if it is free and no live waiter queues for it,
  // else waits for its turn. CancelledError while waiting: the lock is not taken, and a
  // wakeup this waiter received is passed to the next waiter. Returns true (asyncio).
  [[nodiscard]] Coro<bool> acquire(SourceLocation where = SourceLocation::current());
  // Releases the lock and wakes the first waiter. OverReleaseError if not locked.
  void release();
  // acquire(), then a guard that releases: `auto guard = co_await lock.lock();`.
  [[nodiscard]] Coro<LockGuard<Lock>> lock(SourceLocation where = SourceLocation::current());

 private:
  void wake_up_first();
  std::string diagnosis() const override;

  internal::LoopBound bound_;
  internal::Waiters waiters_;  // blocked acquire() calls, FIFO
  bool locked_ = false;
  SourceLocation created_;
  // The id of the task that took the lock last (0: none), for deadlock reports. An id,
  // not a handle: a Lock may outlive its loop. (asyncio's Lock has no owner: this is only
  // what the report says, never checked.)
  std::uint64_t holder_ = 0;
};

// asyncio.Semaphore: a counter that acquire() decrements and release() increments;
// acquire() waits while it is zero. Waiters are served FIFO.
class Semaphore : private internal::Diagnosable {
 public:
  // std::invalid_argument if value < 0. `created`: where, for deadlock reports.
  explicit Semaphore(int value = 1, SourceLocation created = SourceLocation::current())
      : Semaphore(value, std::nullopt, created) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // True iff acquire() would wait: the counter is zero or a live waiter queues.
  bool locked() const noexcept;
  // The counter: units free to take (asyncio's Semaphore._value, shown by its repr).
  int value() const noexcept { return value_; }
  // Decrements the counter, waiting first while acquire() would (see locked()). Returns
  // true (asyncio).
  [[nodiscard]] Coro<bool> acquire(SourceLocation where = SourceLocation::current());
  // Increments the counter and wakes the first waiter. For a BoundedSemaphore,
  // OverReleaseError if that would exceed the initial value.
  void release();
  // acquire(), then a guard that releases.
  [[nodiscard]] Coro<LockGuard<Semaphore>> lock(SourceLocation where = SourceLocation::current());

 protected:
  Semaphore(int value, std::optional<int> bound, SourceLocation created);

 private:
  void wake_up_next();
  std::string diagnosis() const override;

  internal::LoopBound bound_loop_;
  internal::Waiters waiters_;  // blocked acquire() calls, FIFO
  int value_;                  // what release() gave and acquire()/wakeups did not take
  std::optional<int> bound_;   // a BoundedSemaphore's initial value
  SourceLocation created_;
};

// asyncio.BoundedSemaphore: release() above the initial value throws OverReleaseError.
class BoundedSemaphore : public Semaphore {
 public:
  // std::invalid_argument if value < 0.
  explicit BoundedSemaphore(int value = 1, SourceLocation created = SourceLocation::current())
      : Semaphore(value, value, created) {}
};

// asyncio.Condition: a condition variable bound to a Lock (its own, or one given).
class Condition : private internal::Diagnosable {
 public:
  // A condition with a lock of its own. `created`: where, for deadlock reports.
  explicit Condition(SourceLocation created = SourceLocation::current())
      : own_lock_(std::in_place, created), lock_(&*own_lock_), created_(created) {}
  // A condition using `lock`, which must outlive it (several conditions may share it).
  explicit Condition(Lock& lock, SourceLocation created = SourceLocation::current())
      : lock_(&lock), created_(created) {}
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // The underlying lock's locked(), acquire(), release().
  bool locked() const noexcept { return lock_->locked(); }
  [[nodiscard]] Coro<bool> acquire(SourceLocation where = SourceLocation::current()) {
    return lock_->acquire(where);
  }
  void release() { lock_->release(); }
  [[nodiscard]] Coro<LockGuard<Condition>> lock(SourceLocation where = SourceLocation::current());

  // Releases the lock, waits for notify(), then re-acquires the lock. The lock is held
  // again when it returns *or throws*: a CancelledError while waiting for the
  // notification is raised after re-acquiring, and a cancellation while re-acquiring
  // is retried, then raised. std::logic_error if the lock is not held. Returns true.
  [[nodiscard]] Coro<bool> wait(SourceLocation where = SourceLocation::current());
  // Waits until pred() is truthy (checked now, then after each wakeup) and returns its
  // final value. std::logic_error if it has to wait and the lock is not held.
  template <class Pred>
  [[nodiscard]] Coro<std::decay_t<std::invoke_result_t<Pred&>>> wait_for(
      Pred pred, SourceLocation where = SourceLocation::current());
  // Wakes up to `n` waiters, oldest first (they run once they re-acquire the lock).
  // std::logic_error if the lock is not held.
  void notify(std::size_t n = 1);
  // Wakes every waiter.
  void notify_all() { notify(waiters_.size()); }

 private:
  std::string diagnosis() const override;

  internal::LoopBound bound_;
  std::optional<Lock> own_lock_;  // the default lock, if none was given
  Lock* lock_;                    // the lock in use: &*own_lock_ or the caller's
  internal::Waiters waiters_;     // tasks in wait(), FIFO
  SourceLocation created_;
};

// asyncio.Barrier (3.11): `parties` tasks wait() until all have arrived, then all go on.
//
//   lockstep::Barrier barrier(3);
//   int index = co_await barrier.wait();   // 0..2, unique among one round's tasks
class Barrier {
 public:
  // asyncio's _BarrierState: a round fills, then drains (its tasks leave wait()); reset()
  // while tasks wait resets (they raise BrokenBarrierError); abort() breaks it.
  enum class State { kFilling, kDraining, kResetting, kBroken };

  // std::invalid_argument if parties < 1.
  explicit Barrier(int parties);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Waits until `parties` tasks are waiting, then releases them all; returns the
  // caller's arrival index in its round (0 for the first; parties-1 released the
  // others). Tasks arriving while a round drains wait for the next round.
  // BrokenBarrierError if the barrier is, or becomes, broken (abort()) or is reset while
  // waiting. A cancelled waiter leaves the round.
  [[nodiscard]] Coro<int> wait(SourceLocation where = SourceLocation::current());
  // Back to the initial state; tasks waiting now get BrokenBarrierError.
  [[nodiscard]] Coro<void> reset();
  // Breaks the barrier: current and future wait() calls throw BrokenBarrierError until
  // reset().
  [[nodiscard]] Coro<void> abort();

  // The number of tasks needed to trip the barrier.
  int parties() const noexcept { return parties_; }
  // The number of tasks waiting in the round being filled (0 while draining).
  int n_waiting() const noexcept { return state_ == State::kFilling ? count_ : 0; }
  // True iff the barrier is broken.
  bool broken() const noexcept { return state_ == State::kBroken; }
  // The state, as asyncio's repr shows it: see State and to_string(Barrier::State).
  State state() const noexcept { return state_; }

 private:
  [[nodiscard]] Coro<void> block(SourceLocation where);
  [[nodiscard]] Coro<void> wait_for_release(SourceLocation where);
  void release_all();
  void exit();

  Condition cond_;  // notified whenever the state changes
  int parties_;
  State state_ = State::kFilling;
  int count_ = 0;  // tasks inside wait(), past block()
};

// "filling", "draining", "resetting", "broken": asyncio's _BarrierState values.
const char* to_string(Barrier::State state) noexcept;

// ---------------------------------------------------------------------------------------
// Implementation of the templates.

template <class Pred>
Coro<std::decay_t<std::invoke_result_t<Pred&>>> Condition::wait_for(Pred pred,
                                                                    SourceLocation where) {
  auto result = pred();
  while (!result) {
    co_await wait(where);
    result = pred();
  }
  co_return result;
}

}  // namespace lockstep
