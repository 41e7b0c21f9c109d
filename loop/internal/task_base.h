// The type-erased core of Task<T>: stepping the coroutine, cancellation requests and
// their delivery, the loop's registry of pending tasks. User code uses Task<T> (task.h).
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>

#include "loop/coro.h"
#include "loop/internal/future_base.h"
#include "loop/loop.h"

namespace lockstep::internal {

// Whether a task created with a name still takes a "Task-<n>" number: asyncio 3.11's
// create_task(coro, name=...) creates the task unnamed, then names it.
enum class TaskNumbering : std::uint8_t { kIfUnnamed, kAlways };

class TaskBase : public FutureBase, public FutureWaiter {
 public:
  TaskBase(Loop& loop, std::coroutine_handle<> root, std::string name,
           TaskNumbering numbering = TaskNumbering::kIfUnnamed);
  ~TaskBase() override;

  // FutureWaiter: what this task awaited completed; schedule the next step.
  void on_future_done(Loop& loop, FutureBase& awaited) override {
    loop.push_ready(this);
    if (loop.observer()) [[unlikely]] {
      const TaskBase* by = loop.current_task();
      if (!by || !loop.notify_woken_by_step(id_, by->id_)) loop.notify_woken(*this, &awaited);
    }
    if (loop.perturbs().wake_points) [[unlikely]]
      loop.on_wake_point(*this, awaited);
  }
  Enclosing enclosing() const noexcept override {
    return {Enclosing::Kind::kAwaitingTask, const_cast<TaskBase*>(this)};
  }
  // ReadyNode: one step (asyncio Task.__step).
  void run() override {
    if (node_ != loop_->current_node()) [[unlikely]]
      return step_on_node();
    step();
  }
  void drop() noexcept override {}  // the loop's registry owns pending tasks
  std::uint64_t task_id() const noexcept override { return id_; }
  StepNumber number_step() noexcept override { return {id_, ++steps_numbered_}; }

  // Task.cancel(msg): requests cancellation. Returns false iff the task is done.
  bool cancel(std::optional<std::string> msg) override;
  // Number of pending cancellation requests (Task.cancelling()).
  int cancelling() const noexcept { return static_cast<int>(num_cancels_requested_); }
  // Decrements the pending requests, not below 0; returns the new count.
  int uncancel() noexcept;

  // The name given at creation, or asyncio's default "Task-<n>" (made on first use).
  const std::string& name() const;
  void set_name(std::string name);
  // Loop-unique, in creation order; never an address.
  std::uint64_t id() const noexcept { return id_; }
  std::string describe() const override;
  void append_wait_text(std::string& out) const override;
  // What the task awaits now, or nullptr (ready to run, or running).
  const FutureBase* waiting_on() const noexcept { return fut_waiter_; }
  // Steps the task has taken (for budget reports: which tasks kept running).
  std::uint64_t steps_taken() const noexcept { return steps_taken_; }

  // Called by awaiters when this task suspends at `h` until `awaited` completes; the
  // awaiter has already registered the task as a waiter of `awaited`.
  void suspend_on(std::coroutine_handle<> h, FutureBase& awaited) {
    resume_ = h;
    fut_waiter_ = &awaited;
    cancel_forwarded_ = false;
    if (loop_->observer()) [[unlikely]]
      loop_->notify_suspended(*this, awaited, awaited.wait_text_key());
    // asyncio: a cancel() earlier in this step is forwarded to the new _fut_waiter.
    if (must_cancel_) [[unlikely]]
      forward_cancel_request();
    if (loop_->perturbs().await_points) [[unlikely]]
      loop_->on_await_point(*this, &awaited);
  }
  // A bare yield (sleep(0)) written at `where`: run again in the next iteration.
  void yield_now(std::coroutine_handle<> h, SourceLocation where = {}) {
    resume_ = h;
    loop_->push_ready(this);
    if (loop_->perturbs().await_points) [[unlikely]]
      loop_->on_await_point(*this, nullptr, where);
  }
  // Called by awaiters when the task resumes: throws the CancelledError of a cancel()
  // that arrived while the task was not waiting on anything cancellable. `awaited` is
  // the future the task waited on, if any: see deliver_cancel_request().
  void throw_if_cancel_requested(FutureBase* awaited = nullptr) {
    if (throw_cancel_) [[unlikely]]
      deliver_cancel_request(awaited);
  }

  // True iff, since the task last suspended, a cancel() of this task was forwarded to
  // what it awaits (so that future's cancellation is this task's own).
  bool cancel_forwarded() const noexcept { return cancel_forwarded_; }

  // An error was injected at the await this task just suspended at: leave what it awaits
  // (which carries on without it) and run next iteration, raising where it resumes.
  void wake_to_raise(FutureBase* awaited) noexcept;

  // Loop::close(): the task never finished; destroy its coroutine. Stays pending.
  void destroy_pending() noexcept;

  // The loop's memo of what this task last waited on, for recording its suspensions
  // (Loop::notify_suspended): the wait text's key, its number in the loop's table of
  // texts, and the table's generation then (a text replaced in the table makes a new one).
  struct WaitTextMemo {
    WaitTextKey key;
    std::uint32_t number = 0;
    std::uint64_t generation = 0;  // 0: none
  };
  WaitTextMemo wait_text_memo_;

  TaskBase* prev_task_ = nullptr;  // the loop's registry of pending tasks, creation order
  TaskBase* next_task_ = nullptr;

 protected:
  // The root coroutine's promise (the typed Task knows its type).
  virtual PromiseBase& root_promise() noexcept = 0;
  // The root coroutine returned normally: move its value into the result slot.
  virtual void take_result() = 0;
  // The root coroutine threw (root_promise().has_exception_): what it threw.
  virtual std::exception_ptr root_failure() = 0;

  std::coroutine_handle<> root_;  // the task's coroutine; null once destroyed

 private:
  void forward_cancel_request();
  [[noreturn]] void deliver_cancel_request(FutureBase* awaited);
  void step();
  [[gnu::noinline]] void step_on_node();  // run() of a node's task: switch, or stay dead
  // A cancel() arrived while the step was queued: arrange for CancelledError where the
  // coroutine resumes. Returns false iff that ended the task (it had not started).
  [[gnu::noinline]] bool prepare_cancel_delivery();
  [[gnu::noinline]] void finish();
  [[gnu::noinline]] void on_first_step() noexcept;
  void end_of_life();
  void report_end() noexcept;  // to the loop's observer: how the task ended

  std::coroutine_handle<> resume_;             // where to resume: innermost suspended coroutine
  FutureBase* fut_waiter_ = nullptr;           // what the suspended task awaits
  mutable std::unique_ptr<std::string> name_;  // null until named or asked for
  std::uint64_t id_;
  std::uint64_t steps_taken_ = 0;     // see steps_taken()
  std::uint64_t steps_numbered_ = 0;  // see number_step(): the loop's steps of this task
  std::uint32_t unnamed_number_ = 0;  // n of "Task-<n>": asyncio counts unnamed tasks only
  std::uint32_t num_cancels_requested_ = 0;
  bool must_cancel_ = false;       // cancel() arrived with nothing cancellable to forward to
  bool throw_cancel_ = false;      // this step must raise CancelledError where it resumes
  bool started_ = false;           // the coroutine has run at least once
  bool cancel_forwarded_ = false;  // see cancel_forwarded()
};

}  // namespace lockstep::internal
