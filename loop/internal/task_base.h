// The type-erased core of Task<T>: stepping the coroutine, cancellation requests and
// their delivery, the loop's registry of pending tasks. User code uses Task<T> (task.h).
#pragma once

#include <coroutine>
#include <cstdint>
#include <string>

#include "loop/coro.h"
#include "loop/internal/future_base.h"

namespace lockstep::internal {

class TaskBase : public FutureBase, public FutureWaiter {
 public:
  TaskBase(Loop& loop, std::coroutine_handle<> root, PromiseBase& root_promise, std::string name,
           std::source_location created);
  ~TaskBase() override;

  // FutureWaiter: what this task awaited completed; schedule the next step.
  void on_future_done(Loop& loop, FutureBase&) override { loop_push_ready(loop); }
  // ReadyNode: one step (asyncio Task.__step).
  void run() override { step(); }
  void drop() noexcept override {}  // the loop's registry owns pending tasks

  // Task.cancel(msg): requests cancellation. Returns false iff the task is done.
  bool cancel(std::string msg) override;
  // Number of pending cancellation requests (Task.cancelling()).
  int cancelling() const noexcept { return static_cast<int>(num_cancels_requested_); }
  // Decrements the pending requests, not below 0; returns the new count.
  int uncancel() noexcept;

  const std::string& name() const noexcept { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  std::uint64_t id() const noexcept { return id_; }
  bool is_task() const noexcept override { return true; }
  std::string describe() const override;
  // What the task awaits now, or nullptr (ready to run, or running).
  const WaitTarget* waiting_on() const noexcept { return fut_waiter_; }

  // Called by awaiters when this task suspends at `h` until `target` completes; the
  // awaiter has already registered its wakeup with the target.
  void suspend_on(std::coroutine_handle<> h, WaitTarget& target);
  // A bare yield (sleep(0)): run again in the next iteration.
  void yield_now(std::coroutine_handle<> h);
  // Called by awaiters when the task resumes: throws the CancelledError of a cancel()
  // that arrived while the task was not waiting on anything cancellable. `awaited` is
  // the future the task waited on, if any: see deliver_cancel_request().
  void throw_if_cancel_requested(FutureBase* awaited = nullptr) {
    if (throw_cancel_) [[unlikely]] {
      deliver_cancel_request(awaited);
    }
  }
  // Withdraws that pending CancelledError because what the task awaited raises a
  // CancelledError of its own, which asyncio delivers instead (see deliver_cancel_request).
  void spend_cancel_request() noexcept { throw_cancel_ = false; }

  // Loop::close(): the task never finished; destroy its coroutine. Stays pending.
  void destroy_pending() noexcept;

  TaskBase* prev_task_ = nullptr;  // the loop's registry of pending tasks, creation order
  TaskBase* next_task_ = nullptr;

 protected:
  // The root coroutine returned normally: move its value into the result slot.
  virtual void take_result() = 0;

 private:
  void loop_push_ready(Loop& loop) noexcept;
  [[noreturn]] void deliver_cancel_request(FutureBase* awaited);
  void step();
  void finish();
  void end_of_life();

  std::coroutine_handle<> root_;    // the task's coroutine; null once destroyed
  std::coroutine_handle<> resume_;  // where to resume: innermost suspended coroutine
  PromiseBase* root_promise_;
  WaitTarget* fut_waiter_ = nullptr;  // what the suspended task awaits
  std::string name_;
  std::uint64_t id_;
  std::uint32_t num_cancels_requested_ = 0;
  bool must_cancel_ = false;   // cancel() arrived with nothing cancellable to forward to
  bool throw_cancel_ = false;  // this step must raise CancelledError where it resumes
  bool started_ = false;       // the coroutine has run at least once
};

}  // namespace lockstep::internal
