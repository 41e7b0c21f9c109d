#include "loop/sleep.h"

#include <cassert>

#include "loop/loop.h"

namespace lockstep {
namespace internal {

void SleepTimer::invoke() {
  // asyncio: futures._set_result_unless_cancelled(fut) -> fut's callback (the task's
  // wakeup) is scheduled with call_soon; the task resumes in the next iteration.
  if (state_ != State::kPending || !task_) return;
  state_ = State::kFired;
  loop_->push_ready(task_);
}

bool SleepTimer::cancel(std::string msg) {
  if (state_ != State::kPending) return false;
  state_ = State::kCancelled;
  cancel_message_ = std::move(msg);
  TimerNode::cancel();
  loop_->push_ready(task_);
  return true;
}

void SleepTimer::forget_waiter(ReadyNode*) noexcept {
  task_ = nullptr;
  if (!cancelled()) TimerNode::cancel();
}

std::string SleepTimer::describe() const {
  return "sleep until t=" + std::to_string(to_seconds(when())) + "s";
}

void SleepTimer::finish_await() {
  if (state_ == State::kCancelled) throw CancelledError(cancel_message_);
}

SleepAwaiter::~SleepAwaiter() {
  if (!timer_) return;
  // Frame destroyed mid-sleep (loop closed) or resumed: the timer must not fire later.
  if (!timer_->cancelled()) timer_->TimerNode::cancel();
  timer_->release();
}

void SleepAwaiter::await_suspend(std::coroutine_handle<> h) {
  TaskBase& task = current_task_for_await();
  task_ = &task;
  if (bare_yield_) {
    task.yield_now(h);
    return;
  }
  Loop& loop = task.loop();
  timer_ = new SleepTimer(loop, when_, task);  // our reference
  loop.schedule_timer(timer_);
  task.suspend_on(h, *timer_);
}

void SleepAwaiter::await_resume() {
  // asyncio: a cancelled sleep future raises its own CancelledError (the message of the
  // cancel() that cancelled it) at the wakeup, and Task.__step throws that one even if a
  // later cancel() found the sleep already cancelled and set _must_cancel.
  if (timer_ && timer_->was_cancelled()) task_->spend_cancel_request();
  task_->throw_if_cancel_requested();
  if (timer_) timer_->finish_await();
}

}  // namespace internal

internal::SleepAwaiter sleep(Duration delay) {
  Loop* loop = Loop::current();
  if (!loop) throw std::logic_error("lockstep: sleep() needs a running loop");
  if (delay <= Duration::zero()) return internal::SleepAwaiter(loop->time(), true);
  return internal::SleepAwaiter(loop->time() + delay, false);
}

internal::SleepAwaiter sleep_until(TimePoint when) {
  Loop* loop = Loop::current();
  if (!loop) throw std::logic_error("lockstep: sleep_until() needs a running loop");
  return internal::SleepAwaiter(when, when <= loop->time());
}

}  // namespace lockstep
