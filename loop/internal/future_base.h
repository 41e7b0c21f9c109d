// The type-erased core shared by Future<T> and Task<T>: state, callbacks, exception,
// cancellation. User code uses Future<T> (future.h) and Task<T> (task.h).
#pragma once

#include <cstdint>
#include <exception>
#include <source_location>
#include <string>

#include "loop/errors.h"
#include "loop/internal/pool.h"
#include "loop/internal/ready_queue.h"
#include "loop/internal/ref_counted.h"

namespace lockstep {
class Loop;
}

namespace lockstep::internal {

class FutureBase;

// What a suspended task waits on (asyncio's Task._fut_waiter). Cancelling the task
// cancels it, which wakes the task through the normal completion path.
class WaitTarget {
 public:
  // Cancels the awaited operation. Returns false iff it had already completed.
  virtual bool cancel(std::string msg) = 0;
  // The waiting task is being destroyed: never wake it.
  virtual void forget_waiter(ReadyNode* waiter) noexcept = 0;
  // For deadlock reports, e.g. "Task 'worker'" or "a Future created at main.cc:12".
  virtual std::string describe() const = 0;

 protected:
  ~WaitTarget() = default;
};

// Something to schedule when a future completes: a task's wakeup or a done callback.
class FutureWaiter : public ReadyNode {
 public:
  // The future is done: enter the ready queue (asyncio: call_soon(callback, future)).
  virtual void on_future_done(Loop& loop, FutureBase& future) = 0;

 protected:
  ~FutureWaiter() = default;
};

class FutureBase : public RefCounted, public WaitTarget {
 public:
  enum class State : std::uint8_t { kPending, kFinished, kFailed, kCancelled };

  FutureBase(Loop& loop, std::source_location created);
  ~FutureBase() override;

  Loop& loop() const noexcept { return *loop_; }
  State state() const noexcept { return state_; }
  bool done() const noexcept { return state_ != State::kPending; }
  bool cancelled() const noexcept { return state_ == State::kCancelled; }

  // Future.cancel(msg): false if already done; else cancelled, callbacks scheduled.
  bool cancel(std::string msg) override;
  // Throws InvalidStateError unless pending. Call before storing a result.
  void check_settable(const char* what) const;
  // The derived class stored the value: finish and schedule callbacks.
  void mark_finished();
  void set_exception(std::exception_ptr e);

  // Future.result() minus the value: throws the stored exception, CancelledError, or
  // InvalidStateError when pending; returns normally iff a value is there.
  void check_result();
  // Future.exception(): the stored exception or null; CancelledError / InvalidStateError.
  std::exception_ptr exception();

  // Adds a waiter scheduled when the future completes, in registration order.
  // The future must be pending.
  void add_waiter(FutureWaiter* waiter) noexcept { callbacks_.push_back(waiter); }
  // Unlinks a waiter that has not been scheduled; true iff it was found.
  bool remove_waiter(FutureWaiter* waiter) noexcept { return callbacks_.remove(waiter); }
  void forget_waiter(ReadyNode* waiter) noexcept override { callbacks_.remove(waiter); }
  // Future.remove_done_callback: unlinks the not-yet-scheduled callback `id`; returns
  // the number removed (0 or 1).
  std::size_t remove_done_callback(std::uint64_t id) noexcept;
  std::string describe() const override;

  // Address of the derived class's std::optional<T> result slot (nullptr for void).
  virtual void* result_slot() noexcept = 0;
  virtual bool is_task() const noexcept { return false; }

 protected:
  // Marks done in state `s` and schedules the callbacks.
  void complete(State s);
  // The CancelledError to raise for a cancelled future (asyncio _make_cancelled_error):
  // the one that escaped a task's coroutine the first time, then one with the message.
  [[noreturn]] void throw_cancelled();
  // The task finished by letting CancelledError `e` escape (asyncio: _cancelled_exc).
  void cancel_with_error(std::exception_ptr e);

  Loop* loop_;
  std::string cancel_message_;     // message of cancel(msg); asyncio's _cancel_message
  std::exception_ptr exception_;   // kFailed: the error; kCancelled: an escaped CancelledError
  NodeList callbacks_;             // FutureWaiters, scheduled in order on completion
  std::source_location created_;   // where the future was created, for diagnostics
  State state_ = State::kPending;
  bool log_traceback_ = false;     // an exception nobody retrieved yet
};

// A done callback (add_done_callback): a node holding the callable.
class DoneCallbackNode : public FutureWaiter {
 public:
  explicit DoneCallbackNode(std::uint64_t id) : id_(id) {}
  virtual ~DoneCallbackNode() = default;
  std::uint64_t id() const noexcept { return id_; }

  void on_future_done(Loop& loop, FutureBase& future) override;
  void run() final;
  void drop() noexcept final { delete this; }

  static void* operator new(std::size_t size) { return pool_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }

 protected:
  virtual void invoke(FutureBase& future) = 0;

 private:
  Loop* loop_ = nullptr;
  Ref<FutureBase> future_;  // set once scheduled: the callback's argument
  std::uint64_t id_;
};

template <class F>
class DoneFn final : public DoneCallbackNode {
 public:
  DoneFn(std::uint64_t id, F fn) : DoneCallbackNode(id), fn_(std::move(fn)) {}

 private:
  void invoke(FutureBase& future) override { fn_(future); }
  F fn_;
};

}  // namespace lockstep::internal
