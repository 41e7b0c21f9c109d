// The exceptions of lockstep's asyncio model.
//
//   try {
//     co_await task;
//   } catch (const lockstep::CancelledError& e) {   // not a std::exception: see below
//     log("cancelled: ", e.message());
//     throw;                                        // re-raise unless you mean to stop it
//   } catch (const std::exception& e) {             // never swallows a cancellation
//     ...
//   }
//
// CancelledError deliberately does not derive from std::exception. Python moved
// asyncio.CancelledError from Exception to BaseException (3.8) because `except Exception`
// handlers kept swallowing cancellations and leaving tasks that could not be stopped;
// `catch (const std::exception&)` is the C++ form of that bug, so it cannot catch one here.
#pragma once

#include <csignal>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace lockstep {

// A task or future was cancelled. Carries the message given to cancel(msg), if any: as
// in Python, CancelledError() (no message) and CancelledError("") are told apart.
class CancelledError {
 public:
  CancelledError() = default;
  explicit CancelledError(std::optional<std::string> message)
      : message_(message ? std::move(*message) : std::string()), has_message_(bool(message)) {}

  // The message, "" if there is none (see has_message()).
  const std::string& message() const noexcept { return message_; }
  // True iff a message was given, even an empty one (Python: e.args != ()).
  bool has_message() const noexcept { return has_message_; }
  const char* what() const noexcept { return message_.c_str(); }

 private:
  std::string message_;
  bool has_message_ = false;
};

// The run was interrupted by SIGINT or SIGTERM (lockstep::run on a driver with real I/O):
// the first signal cancelled main, and main ended cancelled (Python's KeyboardInterrupt
// out of asyncio.run); or a second signal came while main was still cleaning up. Like
// CancelledError, not a std::exception, for the same reason: a `catch (const
// std::exception&)` meant for errors must not swallow the user's Ctrl-C.
//
//   try { lockstep::run(serve(), options); }
//   catch (const lockstep::KeyboardInterrupt& e) { return 128 + e.signal(); }
class KeyboardInterrupt {
 public:
  explicit KeyboardInterrupt(int signal) : signal_(signal) {}
  // The signal's number: SIGINT or SIGTERM.
  int signal() const noexcept { return signal_; }
  // "lockstep: interrupted by SIGINT" (or SIGTERM).
  const char* what() const noexcept {
    return signal_ == SIGTERM ? "lockstep: interrupted by SIGTERM"
                              : "lockstep: interrupted by SIGINT";
  }

 private:
  int signal_;
};

// Misuse of the API where asyncio raises RuntimeError: awaiting a coroutine twice,
// set_result() on a Task, create_task() or sleep() with no running loop, running a loop
// that is closed or already running, a TaskGroup or timeout() used out of order. The
// message starts with "lockstep: " and names what was misused (the task, the loop, the
// group). A std::logic_error: it is always a bug in the calling code.
class RuntimeError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// An operation is not allowed in the future's current state (result() of a pending
// future, set_result() on a done one), as asyncio.InvalidStateError. The message starts
// with "lockstep: " and names the future.
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A deadline passed (wait_for, timeout). asyncio.TimeoutError is the builtin TimeoutError.
// When it replaces the CancelledError the deadline caused (timeout(), wait_for()), it
// carries that error, as Python's `raise TimeoutError from exc` sets __cause__:
//
//   catch (const lockstep::TimeoutError& e) {
//     if (e.cause()) log(lockstep::describe_exception(e.cause()));   // "CancelledError"
//   }
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("") {}
  explicit TimeoutError(std::exception_ptr cause)
      : std::runtime_error(""), cause_(std::move(cause)) {}
  using std::runtime_error::runtime_error;

  // The exception this one replaced (a CancelledError), or null.
  const std::exception_ptr& cause() const noexcept { return cause_; }

 private:
  std::exception_ptr cause_;
};

// The run can never make progress: nothing is ready, no timer is pending, no external
// event can arrive, and what it waits for is not done. The message lists every blocked
// task and what it awaits.
class DeadlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The run exceeded its step or virtual-time budget (a livelock, an endless retry loop).
// The message names the budget and the tasks still running.
class BudgetExceededError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lockstep
