// wait_for(aw, timeout): await `aw`, but give up after `timeout` (asyncio.wait_for).
//
//   try {
//     int v = co_await lockstep::wait_for(fetch(), 1s);       // a Coro runs inline
//     int w = co_await lockstep::wait_for(task, 1s);          // a Future or Task
//   } catch (const lockstep::TimeoutError&) { ... }
//
// On timeout the inner is cancelled and *awaited* before TimeoutError is raised, so when
// wait_for raises, the inner is done. lockstep follows CPython 3.12+ here, not 3.11: 3.11
// could lose a cancellation that raced the inner's result (gh-86296); 3.12 rebuilt
// wait_for on timeout(), where a coroutine argument runs inline in the caller's task and
// a cancel is never lost. timeout <= 0: the inner is cancelled at once unless already
// done (a coroutine never runs). nullopt: no timeout.
#pragma once

#include <optional>

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/future.h"
#include "loop/task.h"
#include "loop/timeouts.h"

namespace lockstep {

namespace internal {

// asyncio.tasks._cancel_and_wait: cancels `fut` and waits until it is done, whatever it
// does with the cancellation.
Coro<void> cancel_and_wait(FutureBase& fut);

template <class T>
Coro<T> wait_for_expired(Future<T> fut) {
  // asyncio: `if fut.done(): return fut.result()`, else cancel, wait, and turn a
  // cancellation into TimeoutError.
  if (!fut.done()) {
    co_await cancel_and_wait(fut.base());
    if (fut.cancelled()) {
      // The cancellation is consumed by the TimeoutError, which carries it (`from exc`).
      throw TimeoutError(fut.base().take_error());
    }
  }
  co_return fut.result();
}

}  // namespace internal

template <class T>
Coro<T> wait_for(Future<T> fut, std::optional<Duration> timeout) {
  if (timeout && *timeout <= Duration::zero()) co_return co_await internal::wait_for_expired(fut);
  Timeout cm = lockstep::timeout(timeout);
  co_return co_await cm.run(std::move(fut));
}

template <class T>
Coro<T> wait_for(Coro<T> coro, std::optional<Duration> timeout) {
  if (timeout && *timeout <= Duration::zero())
    co_return co_await internal::wait_for_expired(Future<T>(create_task(std::move(coro))));
  Timeout cm = lockstep::timeout(timeout);
  co_return co_await cm.run(std::move(coro));
}

template <CoroConvertible A>
auto wait_for(A&& awaitable, std::optional<Duration> timeout) {
  return wait_for(as_coro(std::forward<A>(awaitable)), timeout);
}

}  // namespace lockstep
