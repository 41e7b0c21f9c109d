// Outcome<T> and as_outcome(): await a future or task without it throwing.
//
//   lockstep::Outcome<int> r = co_await lockstep::as_outcome(task);
//   if (r.ok()) use(r.value());
//   else if (r.cancelled()) log("cancelled");
//   else log(lockstep::describe_exception(r.exception()));
//
// What gather(return_exceptions=True) returns per child, and the cheap way to join many
// tasks that may fail: no exception is thrown for the awaited future's error. A
// cancellation of the *awaiting* task still raises CancelledError, as it must.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "loop/future.h"

namespace lockstep {

template <class T>
class Outcome {
 public:
  // True iff the future finished with a value.
  bool ok() const noexcept { return !error_; }
  // True iff the future was cancelled.
  bool cancelled() const noexcept { return cancelled_; }
  // True iff the future failed with an exception other than a cancellation.
  bool failed() const noexcept { return error_ && !cancelled_; }
  // The error (a CancelledError when cancelled), or null when ok().
  const std::exception_ptr& exception() const noexcept { return error_; }

  // The value; rethrows the error when !ok().
  decltype(auto) value() & {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<T>) return (*value_);
  }
  decltype(auto) value() const& {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<T>) return (*value_);
  }
  decltype(auto) value() && {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<T>) return std::move(*value_);
  }

  static Outcome from_error(std::exception_ptr e, bool cancelled) {
    Outcome o;
    o.error_ = std::move(e);
    o.cancelled_ = cancelled;
    return o;
  }
  template <class U>
  static Outcome from_value(U&& v) {
    Outcome o;
    o.value_.emplace(std::forward<U>(v));
    return o;
  }
  static Outcome from_value() { return Outcome(); }

 private:
  struct Empty {};
  std::conditional_t<std::is_void_v<T>, Empty, std::optional<T>> value_;
  std::exception_ptr error_;
  bool cancelled_ = false;
};

namespace internal {

template <class T>
class [[nodiscard]] OutcomeAwaiter {
 public:
  explicit OutcomeAwaiter(FutureBase* state) : inner_(state), state_(state) {}
  bool await_ready() const noexcept { return inner_.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) { inner_.await_suspend(h); }
  Outcome<T> await_resume() {
    // The awaiting task's own cancellation still raises: as a request that arrived late,
    // or as one that was forwarded to the awaited future (as gather does with its
    // children) - then the outcome is not the caller's to see.
    inner_.check_cancel_request();
    if (inner_.cancel_forwarded()) [[unlikely]] {
      if (state_->cancelled()) state_->check_result();
      throw CancelledError();
    }
    switch (state_->state()) {
      case FutureBase::State::kFinished:
        if constexpr (std::is_void_v<T>)
          return Outcome<T>::from_value();
        else
          return Outcome<T>::from_value(inner_.value());
      case FutureBase::State::kCancelled:
        return Outcome<T>::from_error(state_->take_error(), true);
      default:
        return Outcome<T>::from_error(state_->take_error(), false);
    }
  }

 private:
  FutureAwaiter<T> inner_;
  FutureBase* state_;
};

}  // namespace internal

// Awaits `future` (or a Task) and returns its outcome instead of throwing its error.
template <class T>
[[nodiscard]] internal::OutcomeAwaiter<T> as_outcome(const Future<T>& future) {
  return internal::OutcomeAwaiter<T>(&future.base());
}

}  // namespace lockstep
