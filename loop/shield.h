// shield(aw): protect an awaitable from cancellation (asyncio.shield).
//
//   Task<int> t = lockstep::create_task(commit());
//   int v = co_await lockstep::shield(t);   // cancelling *this* task leaves `t` running
//
// shield returns a new outer Future that follows the inner: cancelling the outer (for
// example by cancelling the task that awaits it) does not cancel the inner, which keeps
// running; cancelling the inner cancels the outer. If the outer was cancelled and the
// inner later fails, the inner's error is not lost: nobody retrieves it, so it is
// reported as "Task exception was never retrieved" when the inner goes, as in asyncio.
// An inner already done is returned as is.
#pragma once

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/task.h"

namespace lockstep {

template <class T>
[[nodiscard]] Future<T> shield(const Future<T>& inner) {
  if (inner.done()) return inner;  // asyncio's shortcut
  Future<T> outer(inner.get_loop());
  // asyncio's _inner_done_callback: the outer follows the inner unless it was cancelled.
  // The callback stands for the shield (Enclosing::kShield): cancellation fuzzing can
  // cancel the outer from an await inside the inner.
  auto follow = [outer](internal::FutureBase& base) mutable {
    Future<T> in{internal::Ref<internal::FutureBase>(&base)};
    if (outer.cancelled()) {
      if (!in.cancelled()) in.exception();  // mark the inner's result retrieved
      return;
    }
    if (in.cancelled()) {
      outer.cancel();
    } else if (std::exception_ptr e = in.exception()) {
      outer.set_exception(e);
    } else if constexpr (std::is_void_v<T>) {
      outer.set_result();
    } else {
      outer.set_result(in.result());
    }
  };
  const CallbackId on_inner = internal::add_done_callback(
      inner.base(), std::move(follow),
      internal::Enclosing{internal::Enclosing::Kind::kShield, &outer.base()});
  // asyncio's _outer_done_callback: once the outer is done, stop following the inner.
  outer.add_done_callback([inner, on_inner]() mutable {
    if (!inner.done()) inner.remove_done_callback(on_inner);
  });
  return outer;
}

// shield(coro): the coroutine runs as a task of its own, protected.
template <class T>
[[nodiscard]] Future<T> shield(Coro<T> coro) {
  return shield(Future<T>(create_task(std::move(coro))));
}

template <CoroConvertible A>
[[nodiscard]] auto shield(A&& awaitable) {
  return shield(as_coro(std::forward<A>(awaitable)));
}

}  // namespace lockstep
