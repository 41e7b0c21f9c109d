// sleep(d): suspend the current task for `d` of loop time (asyncio.sleep).
//
//   co_await lockstep::sleep(250ms);        // a timer; the task wakes one iteration after it fires
//   co_await lockstep::sleep(0s);           // a bare yield: run again next iteration
//   co_await lockstep::sleep_until(loop.time() + 1s);
//
// As in asyncio, a sleeping task that is cancelled wakes at once with CancelledError, and
// its timer is cancelled. Never sleeps on a real clock under simulation.
#pragma once

#include <coroutine>
#include <string>

#include "loop/clock.h"
#include "loop/future.h"
#include "loop/handle.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"

namespace lockstep {

namespace internal {

// The timer of one sleep and the private future the task waits on, in one node.
class SleepTimer final : public TimerNode, public WaitTarget {
 public:
  SleepTimer(Loop& loop, TimePoint when, TaskBase& task) : TimerNode(loop, when), task_(&task) {}

  // WaitTarget: the task was cancelled while asleep.
  bool cancel(std::string msg) override;
  void forget_waiter(ReadyNode*) noexcept override;
  std::string describe() const override;

  // After the task resumed: throws CancelledError if the sleep was cancelled.
  void finish_await();
  bool was_cancelled() const noexcept { return state_ == State::kCancelled; }

 private:
  void invoke() override;  // the timer fired: wake the task

  enum class State : unsigned char { kPending, kFired, kCancelled };
  TaskBase* task_;
  std::string cancel_message_;
  State state_ = State::kPending;
};

class SleepAwaiter {
 public:
  explicit SleepAwaiter(TimePoint when, bool bare_yield) : when_(when), bare_yield_(bare_yield) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  ~SleepAwaiter();

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  TimePoint when_;
  bool bare_yield_;
  TaskBase* task_ = nullptr;
  SleepTimer* timer_ = nullptr;  // owned reference while the sleep is in progress
};

}  // namespace internal

// Suspends the current task for `delay` (<= 0: a bare yield, one loop iteration).
internal::SleepAwaiter sleep(Duration delay);
// Suspends the current task until the loop's time reaches `when`.
internal::SleepAwaiter sleep_until(TimePoint when);

}  // namespace lockstep
