// asyncio/locks.py (CPython 3.11.7), ported statement for statement: keep the two
// side by side when changing anything here, the conformance suite depends on it.
#include "loop/locks.h"

#include <algorithm>
#include <exception>
#include <string>

#include "loop/task.h"

namespace lockstep {

using internal::make_waiter;
using internal::WaiterEntry;

namespace {

// The id of the task running on this thread's loop, or 0.
std::uint64_t running_task_id() noexcept {
  const Loop* loop = Loop::current();
  const internal::TaskBase* task = loop ? loop->current_task() : nullptr;
  return task ? task->id() : 0;
}

// "Task 'a'" for the pending task with id `id` on the running loop, or "task #id, which
// has finished".
std::string task_by_id(std::uint64_t id) {
  if (const Loop* loop = Loop::current())
    for (const AnyTask& t : loop->all_tasks())
      if (t.id() == id) return "Task '" + t.get_name() + "'";
  return "task #" + std::to_string(id) + ", which has finished";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Event

std::string Event::diagnosis() const {
  return "the Event created at " + created_.to_string() + (value_ ? ", set" : ", not set");
}

void Event::set() {
  if (value_) return;
  value_ = true;
  for (Future<void>& fut : waiters_) {
    if (!fut.done()) fut.set_result();
  }
}

Coro<bool> Event::wait(SourceLocation where) {
  if (value_) co_return true;
  Future<void> fut = make_waiter(bound_.get_loop("Event"), "Event.wait()", this, where);
  WaiterEntry entry(waiters_, fut);
  co_await fut;
  co_return true;
}

// ---------------------------------------------------------------------------------------
// Lock

Coro<bool> Lock::acquire(SourceLocation where) {
  if (!locked_ && std::all_of(waiters_.begin(), waiters_.end(),
                              [](const Future<void>& w) { return w.cancelled(); })) {
    locked_ = true;
    holder_ = running_task_id();
    co_return true;
  }
  Future<void> fut = make_waiter(bound_.get_loop("Lock"), "Lock.acquire()", this, where);
  try {
    // Leaves the list before the handler runs, so that wake_up_first() below cannot
    // pick this very waiter again.
    WaiterEntry entry(waiters_, fut);
    co_await fut;
  } catch (const CancelledError&) {
    // Woken (or not) and then cancelled: if the lock is free, the wakeup is not ours to
    // keep; pass it to the next waiter, or the lock stays free with waiters queued.
    if (!locked_) wake_up_first();
    throw;
  }
  locked_ = true;
  holder_ = running_task_id();
  co_return true;
}

void Lock::release() {
  if (!locked_) throw OverReleaseError("Lock is not acquired.");
  locked_ = false;
  holder_ = 0;
  wake_up_first();
}

Coro<LockGuard<Lock>> Lock::lock(SourceLocation where) {
  co_await acquire(where);
  co_return LockGuard<Lock>(*this);
}

void Lock::wake_up_first() {
  if (waiters_.empty()) return;
  // A done first waiter will run later and either take the lock or, cancelled, call
  // this again; waking a second one now would let two tasks in.
  Future<void>& fut = waiters_.front();
  if (!fut.done()) fut.set_result();
}

std::string Lock::diagnosis() const {
  std::string s = "the Lock created at " + created_.to_string();
  if (!locked_) return s + ", free";  // free with a waiter left: a lost wakeup
  return s + ", held" + (holder_ ? " by " + task_by_id(holder_) : std::string());
}

// ---------------------------------------------------------------------------------------
// Semaphore

Semaphore::Semaphore(int value, std::optional<int> bound, SourceLocation created)
    : value_(value), bound_(bound), created_(created) {
  if (value < 0) throw std::invalid_argument("Semaphore initial value must be >= 0");
}

bool Semaphore::locked() const noexcept {
  return value_ == 0 || std::any_of(waiters_.begin(), waiters_.end(),
                                    [](const Future<void>& w) { return !w.cancelled(); });
}

Coro<bool> Semaphore::acquire(SourceLocation where) {
  if (!locked()) {
    --value_;
    co_return true;
  }
  Future<void> fut =
      make_waiter(bound_loop_.get_loop("Semaphore"), "Semaphore.acquire()", this, where);
  try {
    WaiterEntry entry(waiters_, fut);
    co_await fut;
  } catch (const CancelledError&) {
    // Woken, then cancelled: the unit wake_up_next() took for us goes back, to the next
    // waiter if there is one.
    if (!fut.cancelled()) {
      ++value_;
      wake_up_next();
    }
    throw;
  }
  if (value_ > 0) wake_up_next();
  co_return true;
}

void Semaphore::release() {
  if (bound_ && value_ >= *bound_)
    throw OverReleaseError("BoundedSemaphore released too many times");
  ++value_;
  wake_up_next();
}

Coro<LockGuard<Semaphore>> Semaphore::lock(SourceLocation where) {
  co_await acquire(where);
  co_return LockGuard<Semaphore>(*this);
}

std::string Semaphore::diagnosis() const {
  return std::string(bound_ ? "the BoundedSemaphore" : "the Semaphore") + " created at " +
         created_.to_string() + ", value " + std::to_string(value_);
}

void Semaphore::wake_up_next() {
  for (Future<void>& fut : waiters_) {
    if (!fut.done()) {
      --value_;  // the unit now belongs to that waiter
      fut.set_result();
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Condition

Coro<LockGuard<Condition>> Condition::lock(SourceLocation where) {
  co_await acquire(where);
  co_return LockGuard<Condition>(*this);
}

Coro<bool> Condition::wait(SourceLocation where) {
  if (!locked()) throw RuntimeError("lockstep: cannot wait on un-acquired lock");
  release();
  // asyncio re-acquires in a `finally`; C++ cannot co_await in a handler, so the
  // outcome of the wait is kept and rethrown after re-acquiring.
  std::exception_ptr outcome;
  try {
    Future<void> fut = make_waiter(bound_.get_loop("Condition"), "Condition.wait()", this, where);
    WaiterEntry entry(waiters_, fut);
    co_await fut;
  } catch (...) {
    outcome = std::current_exception();
  }
  // Must re-acquire even if cancelled: the caller holds the lock whatever happens.
  bool cancelled = false;
  for (;;) {
    try {
      co_await acquire(where);
      break;
    } catch (const CancelledError&) {
      cancelled = true;
    }
  }
  if (cancelled) throw CancelledError();
  if (outcome) std::rethrow_exception(outcome);
  co_return true;
}

void Condition::notify(std::size_t n) {
  if (!locked()) throw RuntimeError("lockstep: cannot notify on un-acquired lock");
  std::size_t woken = 0;
  for (Future<void>& fut : waiters_) {
    if (woken >= n) break;
    if (!fut.done()) {
      ++woken;
      fut.set_result();
    }
  }
}

std::string Condition::diagnosis() const {
  return "the Condition created at " + created_.to_string() +
         (locked() ? ", its lock held" : ", its lock free");
}

// ---------------------------------------------------------------------------------------
// Barrier

const char* to_string(Barrier::State state) noexcept {
  switch (state) {
    case Barrier::State::kFilling:
      return "filling";
    case Barrier::State::kDraining:
      return "draining";
    case Barrier::State::kResetting:
      return "resetting";
    case Barrier::State::kBroken:
      return "broken";
  }
  return "unknown";
}

Barrier::Barrier(int parties) : parties_(parties) {
  if (parties < 1) throw std::invalid_argument("parties must be > 0");
}

Coro<int> Barrier::wait(SourceLocation where) {
  auto guard = co_await cond_.lock(where);
  co_await block(where);  // while the barrier drains or resets
  int index = count_++;
  try {
    if (index + 1 == parties_)
      release_all();
    else
      co_await wait_for_release(where);
  } catch (...) {
    --count_;
    exit();
    throw;
  }
  --count_;
  exit();
  co_return index;
}

Coro<void> Barrier::block(SourceLocation where) {
  co_await cond_.wait_for(
      [this] { return state_ != State::kDraining && state_ != State::kResetting; }, where);
  if (state_ == State::kBroken) throw BrokenBarrierError("Barrier aborted");
}

void Barrier::release_all() {
  // Draining: tasks arriving now wait in block() for the next round.
  state_ = State::kDraining;
  cond_.notify_all();
}

Coro<void> Barrier::wait_for_release(SourceLocation where) {
  co_await cond_.wait_for([this] { return state_ != State::kFilling; }, where);
  if (state_ == State::kBroken || state_ == State::kResetting)
    throw BrokenBarrierError("Abort or reset of barrier");
}

void Barrier::exit() {
  // The last task out of a draining or resetting barrier reopens it.
  if (count_ == 0) {
    if (state_ == State::kResetting || state_ == State::kDraining) state_ = State::kFilling;
    cond_.notify_all();
  }
}

Coro<void> Barrier::reset() {
  auto guard = co_await cond_.lock();
  if (count_ > 0)
    state_ = State::kResetting;  // waiters raise BrokenBarrierError, the last out reopens
  else
    state_ = State::kFilling;
  cond_.notify_all();
}

Coro<void> Barrier::abort() {
  auto guard = co_await cond_.lock();
  state_ = State::kBroken;
  cond_.notify_all();
}

}  // namespace lockstep
