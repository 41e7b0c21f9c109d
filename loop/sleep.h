// sleep(d): suspend the current task for `d` of loop time (asyncio.sleep).
//
//   co_await lockstep::sleep(250ms);        // a timer; the task wakes one iteration after it fires
//   co_await lockstep::sleep(0s);           // a bare yield: run again next iteration
//   co_await lockstep::sleep_until(loop.time() + 1s);
//
// Exactly asyncio's definition: a private future, a timer that sets it unless it was
// cancelled, and the timer cancelled when the await ends. So a sleeping task that is
// cancelled wakes at once with CancelledError and its timer never moves the clock, and a
// task woken by its timer resumes one iteration after the timer ran, behind every other
// callback due at that instant. Never sleeps on a real clock under simulation.
#pragma once

#include <coroutine>
#include <string>

#include "loop/clock.h"
#include "loop/future.h"
#include "loop/handle.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"
#include "loop/loop.h"

namespace lockstep {

namespace internal {

// The private future of one sleep.
// Appends "sleep(Xs)", X the delay in seconds as printf's %g prints it.
void append_sleep_text(std::string& out, Duration delay);

class SleepFuture final : public FutureBase {
 public:
  SleepFuture(Loop& loop, TimePoint when, SourceLocation where)
      : FutureBase(loop), when_(when), where_(where) {}
  void* result_slot() noexcept override { return nullptr; }
  std::string describe() const override;
  std::string diagnose() const override { return describe() + where_.at_suffix(); }
  std::string wait_text() const override;  // "sleep(0.25s)": the delay, from now
  void append_wait_text(std::string& out) const override;
  // The text is a function of the delay left: keyed by it, so a recorded run builds one
  // text per distinct delay, not one per sleep.
  TextKey wait_text_key() const noexcept override;
  SourceLocation await_site() const noexcept override { return where_; }

 private:
  TimePoint when_;
  SourceLocation where_;  // the sleep() call: the co_await's line
};

// asyncio futures._set_result_unless_cancelled, as the sleep's timer callback.
struct WakeUnlessCancelled {
  Ref<FutureBase> future;
  void operator()() const {
    if (!future->done()) future->mark_finished();
  }
};

class [[nodiscard(
    "sleep() does nothing unless awaited: co_await lockstep::sleep(...)")]] SleepAwaiter {
 public:
  SleepAwaiter(Duration delay, SourceLocation where) noexcept : delay_(delay), where_(where) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  ~SleepAwaiter() { timer_.cancel(); }  // asyncio: `finally: h.cancel()`

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    task_ = &current_task_for_await();
    if (delay_ <= Duration::zero()) {
      task_->yield_now(h, where_);  // asyncio: sleep(0) is a bare `yield`
      return;
    }
    Loop& loop = task_->loop();
    const TimePoint when = loop.time() + delay_;
    future_ = make_ref<SleepFuture>(loop, when, where_);
    timer_ = loop.call_at(when, WakeUnlessCancelled{future_});
    future_->add_waiter(task_);
    task_->suspend_on(h, *future_);
  }
  void await_resume() {
    task_->throw_if_cancel_requested(future_.get());
    if (future_) future_->check_result();  // CancelledError if the sleep was cancelled
  }

 private:
  Duration delay_;
  SourceLocation where_;  // see SleepFuture
  TaskBase* task_ = nullptr;
  Ref<FutureBase> future_;  // null for a bare yield
  TimerHandle timer_;
};

}  // namespace internal

// Suspends the current task for `delay` (<= 0: a bare yield, one loop iteration).
// `where`: the caller's line, which deadlock reports and cancellation fuzzing name
// ("sleep until t=1.5s at worker.cc:42").
[[nodiscard]] inline internal::SleepAwaiter sleep(
    Duration delay, SourceLocation where = SourceLocation::current()) {
  return internal::SleepAwaiter(delay, where);
}

// Suspends the current task until the loop's time reaches `when`. Throws
// std::logic_error if no loop is running.
[[nodiscard]] internal::SleepAwaiter sleep_until(TimePoint when,
                                                 SourceLocation where = SourceLocation::current());

}  // namespace lockstep
