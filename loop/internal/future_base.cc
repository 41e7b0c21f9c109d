#include "loop/internal/future_base.h"

#include <string>

#include "loop/loop.h"

namespace lockstep::internal {

FutureBase::FutureBase(Loop& loop, std::source_location created)
    : loop_(&loop), created_(created) {
  loop.on_future_created();
}

FutureBase::~FutureBase() {
  // A task reports this itself, with its name (see ~TaskBase).
  if (log_traceback_) {
    loop_->call_exception_handler({"Future exception was never retrieved", exception_, ""});
  }
  while (!callbacks_.empty()) callbacks_.pop_front()->drop();
  loop_->on_future_destroyed();
}

bool FutureBase::cancel(std::string msg) {
  log_traceback_ = false;
  if (state_ != State::kPending) return false;
  cancel_message_ = std::move(msg);
  complete(State::kCancelled);
  return true;
}

void FutureBase::check_settable(const char* what) const {
  if (state_ == State::kPending) return;
  static constexpr const char* kNames[] = {"PENDING", "FINISHED", "FINISHED", "CANCELLED"};
  throw InvalidStateError(std::string(what) + "() on a future that is already " +
                          kNames[static_cast<int>(state_)] + ": " + describe());
}

void FutureBase::mark_finished() { complete(State::kFinished); }

void FutureBase::set_exception(std::exception_ptr e) {
  check_settable("set_exception");
  exception_ = std::move(e);
  log_traceback_ = true;
  complete(State::kFailed);
}

void FutureBase::cancel_with_error(std::exception_ptr e) {
  // asyncio: self._cancelled_exc = exc; super().cancel()  (message None)
  cancel_message_.clear();
  exception_ = std::move(e);
  complete(State::kCancelled);
}

void FutureBase::complete(State s) {
  state_ = s;
  // Each callback enters the ready queue in registration order; none runs inline.
  NodeList waiters = callbacks_.take_all();
  while (!waiters.empty()) {
    static_cast<FutureWaiter*>(waiters.pop_front())->on_future_done(*loop_, *this);
  }
}

void FutureBase::throw_cancelled() {
  if (exception_) {
    std::exception_ptr e = std::move(exception_);
    exception_ = nullptr;
    std::rethrow_exception(e);
  }
  throw CancelledError(cancel_message_);
}

void FutureBase::check_result() {
  switch (state_) {
    case State::kFinished:
      return;
    case State::kFailed:
      log_traceback_ = false;
      std::rethrow_exception(exception_);
    case State::kCancelled:
      throw_cancelled();
    case State::kPending:
      break;
  }
  throw InvalidStateError("Result is not ready.");
}

std::exception_ptr FutureBase::exception() {
  switch (state_) {
    case State::kFinished:
      return nullptr;
    case State::kFailed:
      log_traceback_ = false;
      return exception_;
    case State::kCancelled:
      throw_cancelled();
    case State::kPending:
      break;
  }
  throw InvalidStateError("Exception is not set.");
}

std::size_t FutureBase::remove_done_callback(std::uint64_t id) noexcept {
  for (ReadyNode* n = callbacks_.front(); n; n = n->next_) {
    auto* cb = dynamic_cast<DoneCallbackNode*>(static_cast<FutureWaiter*>(n));
    if (cb && cb->id() == id) {
      callbacks_.remove(cb);
      delete cb;
      return 1;
    }
  }
  return 0;
}

std::string FutureBase::describe() const {
  std::string s = "a Future created at ";
  s += created_.file_name();
  s += ':';
  s += std::to_string(created_.line());
  return s;
}

void DoneCallbackNode::on_future_done(Loop& loop, FutureBase& future) {
  loop_ = &loop;
  future_ = Ref<FutureBase>(&future);
  loop.push_ready(this);
}

void DoneCallbackNode::run() {
  try {
    invoke(*future_);
  } catch (...) {
    loop_->call_exception_handler({"Exception in callback", std::current_exception(), ""});
  }
  delete this;
}

}  // namespace lockstep::internal
