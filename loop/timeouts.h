// timeout(d) / timeout_at(t): bound the time a piece of a task may take
// (asyncio.timeout, 3.11).
//
//   lockstep::Timeout cm = lockstep::timeout(2s);
//   try {
//     co_await cm.run(fetch());          // `async with asyncio.timeout(2): await fetch()`
//   } catch (const lockstep::TimeoutError&) {
//     assert(cm.expired());
//   }
//   // inside the body: cm.reschedule(loop.time() + 5s) moves the deadline.
//
// It works as asyncio's does: at the deadline the task is cancelled; when the resulting
// CancelledError leaves the scope, the scope uncancels the task and, if no other cancel
// request is pending (cancelling() back to what it was on entry), raises TimeoutError in
// its place. So a cancellation from outside is never mistaken for a timeout.
#pragma once

#include <exception>
#include <optional>
#include <utility>

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/errors.h"
#include "loop/future.h"
#include "loop/handle.h"
#include "loop/task.h"

namespace lockstep {

class Timeout {
 public:
  // A scope expiring at `when` (nullopt: never, until rescheduled). Enter it with run().
  explicit Timeout(std::optional<TimePoint> when) noexcept : when_(when) {}
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;
  ~Timeout();

  // The deadline, or nullopt for none.
  std::optional<TimePoint> when() const noexcept { return when_; }
  // Moves the deadline (nullopt: none). Only while the scope is active; else throws
  // std::logic_error with asyncio's message ("Timeout has not been entered" before
  // entry, "Cannot change state of expired Timeout" and the like after).
  void reschedule(std::optional<TimePoint> when);
  // True iff the deadline passed while the scope was active.
  bool expired() const noexcept { return state_ == State::kExpiring || state_ == State::kExpired; }

  // `async with self: return await body` - runs `body` inline in the current task.
  template <class T>
  Coro<T> run(Coro<T> body);
  template <CoroConvertible A>
  auto run(A&& awaitable) {
    return run(as_coro(std::forward<A>(awaitable)));
  }
  // `async with self: return await future`.
  template <class T>
  Coro<T> run(Future<T> future) {
    return run(await_future(std::move(future)));
  }

  // Expires the scope now, as if its deadline had come (for simulations that fire a
  // timeout at an await). Nothing unless the scope is active.
  void expire_now();

  // The two halves of `async with`, for callers that need them apart. exit() takes what
  // escaped the body (null if nothing) and throws TimeoutError when the scope expired and
  // the CancelledError is its own.
  void enter();
  void exit(const std::exception_ptr& escaping, bool escaping_is_cancel);

 private:
  enum class State { kCreated, kEntered, kExpiring, kExpired, kExited };
  void on_timeout();
  template <class T>
  static Coro<T> await_future(Future<T> f) {
    co_return co_await f;
  }

  State state_ = State::kCreated;
  std::optional<TimePoint> when_;
  Handle handler_;              // the pending call to on_timeout(), if armed
  AnyTask task_;                // the task the scope runs in
  int cancelling_ = 0;          // task.cancelling() on entry
  Loop* registered_ = nullptr;  // the loop whose active scopes list this one
};

// A Timeout expiring `delay` from now (nullopt: never). Needs a running loop.
[[nodiscard]] Timeout timeout(std::optional<Duration> delay);
// A Timeout expiring at `when` (nullopt: never).
[[nodiscard]] inline Timeout timeout_at(std::optional<TimePoint> when) { return Timeout(when); }

template <class T>
Coro<T> Timeout::run(Coro<T> body) {
  enter();
  std::exception_ptr failure;
  bool is_cancel = false;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      exit(nullptr, false);
      co_return;
    } else {
      T value = co_await std::move(body);
      exit(nullptr, false);
      co_return value;
    }
  } catch (...) {
    failure = std::current_exception();
    is_cancel = internal::handling_cancelled_error();
  }
  exit(failure, is_cancel);  // TimeoutError if this scope's deadline caused it
  std::rethrow_exception(failure);
}

}  // namespace lockstep
