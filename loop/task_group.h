// TaskGroup: structured concurrency (asyncio.TaskGroup, 3.11).
//
//   co_await lockstep::task_group([&](lockstep::TaskGroup& g) -> lockstep::Coro<void> {
//     auto a = g.create_task(fetch(1), "fetch-1");
//     auto b = g.create_task(fetch(2), "fetch-2");
//     co_await lockstep::sleep(1s);             // the body runs concurrently with them
//   });                                         // returns once every child is done
//
//   lockstep::TaskGroup g;                      // the same, with the group named
//   co_await g.run(body(g));                    // `async with g: await body(g)`
//
// As CPython 3.11: leaving the body waits for every child. The first child to fail with
// an exception other than CancelledError cancels all the other children and the body
// (the task that runs the group is cancelled at its current await, and that cancellation
// is withdrawn again when the group exits, so code after the group runs normally). The
// errors of every failed child, and the body's own error if it raised one, surface
// together as one ExceptionGroup("unhandled errors in a TaskGroup"), in the order they
// happened. A cancellation from outside cancels the children and propagates as
// CancelledError once they are done; errors of children take precedence over it. A
// child cancelled on its own is not an error. Children are cancelled in creation order
// (CPython iterates a set: its order depends on addresses).
//
// One deliberate difference from 3.11, taken from CPython 3.13: the group withdraws the
// cancel request it sent to its task after waiting for the children, not before. In
// 3.11 a child that fails while the group waits in exit leaves the task's cancelling()
// at 1 for good, so a later timeout() in that task mistakes its own expiry for an
// outside cancellation and never raises TimeoutError.
//
// Python's SystemExit and KeyboardInterrupt have no C++ counterpart: every exception is
// an ordinary one here.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/exception_group.h"
#include "loop/future.h"
#include "loop/internal/callable_temporaries.h"
#include "loop/internal/ref_counted.h"
#include "loop/task.h"

namespace lockstep {

namespace internal {

// The group's state. Ref-counted because the done callbacks of its children refer to it:
// it lives as long as the TaskGroup or any child's pending callback.
class TaskGroupCore final : public RefCounted {
 public:
  void enter();
  Coro<void> exit(std::exception_ptr escaping, bool escaping_is_cancel);
  void check_can_create_task() const;
  void track(AnyTask task);
  std::string repr() const;
  std::size_t size() const noexcept { return tasks_.size(); }
  Loop& loop() const noexcept { return *loop_; }

 private:
  struct Child {
    AnyTask task;
    CallbackId callback;
  };
  void on_task_done(std::uint64_t id);
  void abort();

  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  bool parent_cancel_requested_ = false;
  Loop* loop_ = nullptr;
  AnyTask parent_;
  std::map<std::uint64_t, Child> tasks_;  // unfinished children by task id: creation order
  std::vector<std::exception_ptr> errors_;
  std::optional<Future<void>> on_completed_;  // set while exit() waits for the children
};

}  // namespace internal

class TaskGroup {
 public:
  TaskGroup() : core_(internal::make_ref<internal::TaskGroupCore>()) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // `async with self: return await body`: enters the group, runs `body` inline in the
  // current task, then waits for every child. Throws ExceptionGroup if anything failed.
  template <class T>
  Coro<T> run(Coro<T> body);

  // Starts `coro` as a child task (asyncio TaskGroup.create_task). Only between entry
  // and the end of exit; std::logic_error otherwise ("has not been entered", "is
  // finished", "is shutting down"), and the coroutine is destroyed unstarted.
  template <class T>
  Task<T> create_task(Coro<T> coro, std::string name = {});
  template <CoroConvertible A>
  auto create_task(A&& awaitable, std::string name = {}) {
    return create_task(as_coro(std::forward<A>(awaitable)), std::move(name));
  }

  // Children not yet finished.
  std::size_t size() const noexcept { return core_->size(); }
  // asyncio's repr, e.g. "<TaskGroup tasks=2 errors=1 cancelling>".
  std::string repr() const { return core_->repr(); }

  // The two halves of `async with`, for callers that need them apart: exit() takes what
  // escaped the body (null if nothing) and completes once every child is done.
  void enter() { core_->enter(); }
  Coro<void> exit(std::exception_ptr escaping, bool escaping_is_cancel) {
    return core_->exit(std::move(escaping), escaping_is_cancel);
  }

 private:
  internal::Ref<internal::TaskGroupCore> core_;
};

namespace internal {
// The coroutine of task_group(): owns the callable on the heap for the whole run.
template <class F>
std::invoke_result_t<F&, TaskGroup&> run_task_group(std::unique_ptr<F> body) {
  TaskGroup group;
  co_return co_await group.run((*body)(group));
}
}  // namespace internal

// Runs body(group) inside a fresh TaskGroup and returns what the body returns:
// `async with TaskGroup() as g: return await body(g)`.
//
// A coroutine lambda's captures live in the lambda object, not in the coroutine frame
// that calling it creates (the frame only points at the object), so the callable is
// moved (or copied) to the heap and owned by the group's coroutine until the group has
// exited: the captures stay valid for every await of the body. Under g++ 12 a lambda
// with non-trivial captures (a std::string by value) written inline in the co_await is
// refused at compile time: that compiler destroys it twice (see
// loop/internal/callable_temporaries.h). Name it first, or capture by reference.
template <class F>
std::invoke_result_t<std::decay_t<F>&, TaskGroup&> task_group(F&& body) {
  LOCKSTEP_CHECK_INLINE_CALLABLE(F, "task_group");
  return internal::run_task_group(std::make_unique<std::decay_t<F>>(std::forward<F>(body)));
}

// ---------------------------------------------------------------------------------------
// Implementation of the templates.

template <class T>
Task<T> TaskGroup::create_task(Coro<T> coro, std::string name) {
  core_->check_can_create_task();
  Task<T> task = internal::spawn_then_name(core_->loop(), std::move(coro), std::move(name));
  core_->track(task);
  return task;
}

template <class T>
Coro<T> TaskGroup::run(Coro<T> body) {
  // Hold the core: the TaskGroup may be a temporary of the caller's full expression.
  internal::Ref<internal::TaskGroupCore> core = core_;
  core->enter();
  std::exception_ptr failure;
  bool is_cancel = false;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
    } else {
      value.emplace(co_await std::move(body));
    }
  } catch (...) {
    failure = std::current_exception();
    is_cancel = internal::handling_cancelled_error();
  }
  co_await core->exit(failure, is_cancel);
  if (failure) std::rethrow_exception(failure);
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

}  // namespace lockstep
