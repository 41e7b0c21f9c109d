#include "loop/timeouts.h"

#include <stdexcept>

namespace lockstep {

Timeout timeout(std::optional<Duration> delay) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: timeout() needs a running loop");
  return Timeout(delay ? std::optional<TimePoint>(loop->time() + *delay) : std::nullopt);
}

void Timeout::enter() {
  if (state_ != State::kCreated) throw RuntimeError("lockstep: Timeout has already been entered");
  task_ = current_task();
  if (!task_) throw RuntimeError("lockstep: Timeout should be used inside a task");
  state_ = State::kEntered;
  cancelling_ = task_.cancelling();
  registered_ = &task_.base()->loop();
  registered_->enter_timeout_scope(task_.base(), this);
  reschedule(when_);
}

Timeout::~Timeout() {
  handler_.cancel();
  if (registered_) registered_->exit_timeout_scope(this);
}

void Timeout::expire_now() {
  if (state_ != State::kEntered) return;
  handler_.cancel();
  on_timeout();
}

void Timeout::reschedule(std::optional<TimePoint> when) {
  if (state_ == State::kCreated) throw RuntimeError("lockstep: Timeout has not been entered");
  if (state_ != State::kEntered) {
    static constexpr const char* kNames[] = {"created", "active", "expiring", "expired",
                                             "finished"};
    throw RuntimeError(std::string("lockstep: Cannot change state of ") +
                       kNames[static_cast<int>(state_)] + " Timeout");
  }
  when_ = when;
  handler_.cancel();
  handler_ = Handle();
  if (!when) return;
  Loop& loop = task_.base()->loop();
  // asyncio: a deadline already passed fires through call_soon, not a timer.
  if (*when <= loop.time())
    handler_ = loop.call_soon([this] { on_timeout(); });
  else
    handler_ = loop.call_at(*when, [this] { on_timeout(); });
}

void Timeout::on_timeout() {
  task_.cancel();
  state_ = State::kExpiring;
  handler_ = Handle();
}

void Timeout::exit(const std::exception_ptr& escaping, bool escaping_is_cancel) {
  handler_.cancel();
  handler_ = Handle();
  if (Loop* loop = std::exchange(registered_, nullptr)) loop->exit_timeout_scope(this);
  if (state_ == State::kExpiring) {
    state_ = State::kExpired;
    // Only if no other cancel request arrived meanwhile is the CancelledError ours.
    if (task_.uncancel() <= cancelling_ && escaping && escaping_is_cancel)
      throw TimeoutError(escaping);  // `raise TimeoutError from exc_val`
  } else if (state_ == State::kEntered) {
    state_ = State::kExited;
  }
}

}  // namespace lockstep
