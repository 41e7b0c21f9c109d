#include "loop/internal/future_base.h"

#include <stdexcept>
#include <string>

#include "loop/internal/task_base.h"
#include "loop/loop.h"

namespace lockstep::internal {

void FutureBase::report_and_drop_callbacks() noexcept {
  // A task reports this itself, with its name (see ~TaskBase). A node that lost power
  // had no chance to retrieve anything: its futures go silently.
  if (log_traceback_ && loop_->node_alive(node_) && loop_->node_alive(loop_->current_node())) {
    loop_->call_exception_handler(
        {"Future exception was never retrieved", exception_, "", 0, /*unretrieved=*/true});
  }
  while (!callbacks_.empty()) callbacks_.pop_front()->drop();
}

const std::string& FutureBase::cancel_message() const noexcept {
  static const std::string kNone;
  return cancel_message_ ? *cancel_message_ : kNone;
}

std::optional<std::string> FutureBase::cancel_message_if_any() const {
  if (!cancel_message_) return std::nullopt;
  return *cancel_message_;
}

void FutureBase::set_cancel_message(std::optional<std::string> msg) {
  if (!msg)
    cancel_message_.reset();
  else
    cancel_message_ = std::make_unique<std::string>(std::move(*msg));
}

bool FutureBase::cancel(std::optional<std::string> msg) {
  log_traceback_ = false;
  if (state_ != State::kPending) return false;
  set_cancel_message(std::move(msg));
  complete(State::kCancelled);
  return true;
}

void FutureBase::throw_not_settable(const char* what) const {
  static constexpr const char* kNames[] = {"PENDING", "FINISHED", "FINISHED", "CANCELLED"};
  throw InvalidStateError("lockstep: " + std::string(what) + "() on a future that is already " +
                          kNames[static_cast<int>(state_)] + ": " + describe());
}

void throw_not_settable(const FutureBase& state, const char* what) {
  if (state.is_task())
    throw RuntimeError("lockstep: " + state.describe() + " does not support " + what +
                       "(): a task's result is what its coroutine returns");
  state.check_settable(what);
  throw std::logic_error("lockstep: throw_not_settable on a settable future");
}

void FutureBase::set_exception(std::exception_ptr e) {
  check_settable("set_exception");
  exception_ = std::move(e);
  log_traceback_ = !failure_retrieved_in_advance_;
  complete(State::kFailed);
}

void FutureBase::cancel_with_error(std::exception_ptr e) {
  // asyncio: self._cancelled_exc = exc; super().cancel()  (message None)
  cancel_message_.reset();
  exception_ = std::move(e);
  complete(State::kCancelled);
}

void FutureBase::schedule_callbacks() {
  // Each callback enters the ready queue in registration order; none runs inline.
  NodeList waiters = callbacks_.take_all();
  while (!waiters.empty()) {
    static_cast<FutureWaiter*>(waiters.pop_front())->on_future_done(*loop_, *this);
  }
}

void FutureBase::throw_result_error() {
  switch (state_) {
    case State::kFinished:
      break;  // not called in this state
    case State::kFailed:
      log_traceback_ = false;
      std::rethrow_exception(exception_);
    case State::kCancelled:
      // asyncio _make_cancelled_error: the CancelledError that escaped a task's coroutine
      // the first time, then a new one with the cancel message.
      if (exception_) std::rethrow_exception(std::exchange(exception_, nullptr));
      throw cancelled_error();
    case State::kPending:
      break;
  }
  throw InvalidStateError("lockstep: Result is not ready: " + describe() + " is pending");
}

std::exception_ptr FutureBase::exception() {
  switch (state_) {
    case State::kFinished:
      return nullptr;
    case State::kFailed:
      log_traceback_ = false;
      return exception_;
    case State::kCancelled:
      throw_result_error();
    case State::kPending:
      break;
  }
  throw InvalidStateError("lockstep: Exception is not set: " + describe() + " is pending");
}

std::exception_ptr FutureBase::take_error() {
  switch (state_) {
    case State::kFailed:
      log_traceback_ = false;
      return exception_;
    case State::kCancelled:
      if (exception_) return std::exchange(exception_, nullptr);
      return std::make_exception_ptr(cancelled_error());
    default:
      return nullptr;
  }
}

std::size_t FutureBase::remove_done_callback(std::uint64_t id) noexcept {
  for (ReadyNode* n = callbacks_.front(); n; n = callbacks_.next(n)) {
    auto* cb = dynamic_cast<DoneCallbackNode*>(static_cast<FutureWaiter*>(n));
    if (cb && cb->id() == id) {
      cb->discard();
      return 1;
    }
  }
  return 0;
}

void DoneCallbackNode::register_on(FutureBase& future) noexcept {
  registered_on_ = &future;
  future.add_waiter(this);
  loop_->register_pending_callback(this);
}

void DoneCallbackNode::discard() noexcept {
  if (registered_on_) {
    registered_on_->remove_waiter(this);
    loop_->unregister_pending_callback(this);
  }
  delete this;
}

void DoneCallbackNode::on_future_done(Loop& loop, FutureBase& future) {
  if (registered_on_) {
    loop_->unregister_pending_callback(this);
    registered_on_ = nullptr;
  }
  future_ = Ref<FutureBase>(&future);
  loop.push_ready(this);
}

void DoneCallbackNode::invoke_observed() {
  // A task woken by what this callback does was woken by the task it is a callback of.
  const std::uint64_t task = future_->is_task() ? static_cast<TaskBase&>(*future_).id() : 0;
  const Loop::CallbackCause outer = loop_->exchange_callback_cause({task, false});
  struct Restore {
    Loop* loop;
    Loop::CallbackCause cause;
    ~Restore() { loop->exchange_callback_cause(cause); }
  } restore{loop_, outer};
  invoke(*future_);
}

void DoneCallbackNode::drop() noexcept {
  // From a future's list (the future is going away) or from the ready queue (closing).
  if (registered_on_) loop_->unregister_pending_callback(this);
  delete this;
}

void DoneCallbackNode::run() {
  if (node_ != loop_->current_node()) [[unlikely]]
    return run_on_node();
  run_here();
}

void DoneCallbackNode::run_on_node() {
  if (!loop_->node_alive(node_)) {  // its machine lost power: nothing of it runs
    delete this;
    return;
  }
  Loop::NodeScope scope(*loop_, node_);
  run_here();
}

void DoneCallbackNode::run_here() {
  try {
    if (loop_->observer()) [[unlikely]]
      invoke_observed();
    else
      invoke(*future_);
  } catch (...) {
    loop_->call_exception_handler({"Exception in callback", std::current_exception(), ""});
  }
  delete this;
}

}  // namespace lockstep::internal
