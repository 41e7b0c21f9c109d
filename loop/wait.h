// wait(futures, return_when, timeout): wait for some or all of a set of futures
// (asyncio.wait).
//
//   auto [done, pending] = co_await lockstep::wait(tasks, lockstep::FIRST_COMPLETED);
//   auto r = co_await lockstep::wait(tasks, lockstep::ALL_COMPLETED, 5s);  // r.pending on timeout
//
// Never cancels anything and never raises the futures' errors: it only reports which are
// done. `done` and `pending` keep the input order (asyncio returns sets; lockstep keeps
// a deterministic order). FIRST_EXCEPTION returns at the first future that fails (a
// cancellation is not an exception), or when all are done. An empty input is an error
// (std::invalid_argument), as in asyncio.
#pragma once

#include <optional>
#include <vector>

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/distinct.h"
#include "loop/task.h"

namespace lockstep {

enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FIRST_COMPLETED;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FIRST_EXCEPTION;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::ALL_COMPLETED;

template <class T>
struct WaitResult {
  std::vector<Future<T>> done;     // input order
  std::vector<Future<T>> pending;  // input order
};

namespace internal {
// asyncio.tasks._wait on type-erased futures (distinct, non-empty). Returns when the
// condition holds or the timeout passes.
Coro<void> wait_erased(std::vector<FutureBase*> fs, ReturnWhen when,
                       std::optional<Duration> timeout);
}  // namespace internal

template <class T>
Coro<WaitResult<T>> wait(std::vector<Future<T>> fs, ReturnWhen return_when = ALL_COMPLETED,
                         std::optional<Duration> timeout = std::nullopt) {
  if (fs.empty()) throw std::invalid_argument("Set of Tasks/Futures is empty.");
  std::vector<Future<T>> unique = internal::distinct(fs);  // asyncio: set(fs)
  std::vector<internal::FutureBase*> erased;
  for (auto& f : unique) erased.push_back(&f.base());
  co_await internal::wait_erased(std::move(erased), return_when, timeout);
  WaitResult<T> r;
  for (auto& f : unique) (f.done() ? r.done : r.pending).push_back(f);
  co_return r;
}

template <class T>
Coro<WaitResult<T>> wait(const std::vector<Task<T>>& tasks, ReturnWhen return_when = ALL_COMPLETED,
                         std::optional<Duration> timeout = std::nullopt) {
  return wait(std::vector<Future<T>>(tasks.begin(), tasks.end()), return_when, timeout);
}

}  // namespace lockstep
