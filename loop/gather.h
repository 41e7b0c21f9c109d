// gather(...): run awaitables concurrently and collect their results (asyncio.gather).
//
//   auto [a, b] = co_await lockstep::gather(fetch(1), fetch(2));      // coroutines become tasks
//   std::vector<int> all = co_await lockstep::gather(tasks);          // a range, argument order
//   auto [ra, rb] = co_await lockstep::gather(lockstep::return_exceptions, t1, t2);
//   if (!ra.ok()) ...                                                 // Outcome<T> per child
//
// As CPython 3.11: results come in argument order; without return_exceptions the first
// error (or a child's own cancellation, as CancelledError) propagates at once while the
// other children keep running; cancelling the gather cancels every unfinished child and
// then raises CancelledError even with return_exceptions; duplicate arguments are awaited
// once and reported at each position; gather() of nothing is an empty result at once.
// A void child's result is std::monostate.
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/distinct.h"
#include "loop/outcome.h"
#include "loop/task.h"

namespace lockstep {

// Tag: gather(return_exceptions, ...) reports each child's Outcome instead of raising.
struct ReturnExceptions {};
inline constexpr ReturnExceptions return_exceptions{};

namespace internal {

// What an awaitable argument of gather/shield/wait yields.
template <class A>
struct AwaitedType;
template <class T>
struct AwaitedType<Coro<T>> {
  using type = T;
};
template <class T>
struct AwaitedType<Future<T>> {
  using type = T;
};
template <class T>
struct AwaitedType<Task<T>> {
  using type = T;
};
template <CoroConvertible A>
struct AwaitedType<A> {
  using type = typename A::value_type;
};
template <class A>
using awaited_t = typename AwaitedType<std::remove_cvref_t<A>>::type;
// A Coro<T>, Future<T> or Task<T>.
template <class A>
concept AwaitableArg = requires {
  typename awaited_t<A>;
};

// void results are reported as std::monostate.
template <class T>
using GatherValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// asyncio.ensure_future: a coroutine becomes a task on the running loop; a future is
// passed through.
template <class T>
Future<T> to_future(Coro<T>&& coro) {
  return create_task(std::move(coro));
}
template <class T>
Future<T> to_future(const Future<T>& f) {
  return f;
}
template <CoroConvertible A>
auto to_future(A&& awaitable) {
  return to_future(as_coro(std::forward<A>(awaitable)));
}

// The value of a finished child, copied.
template <class T>
GatherValue<T> child_value(FutureBase& child) {
  if constexpr (std::is_void_v<T>)
    return {};
  else
    return slot_value<T>(child.result_slot());
}

template <class T>
Outcome<T> child_outcome(FutureBase& child) {
  // asyncio: CancelledError('' if fut._cancel_message is None else fut._cancel_message),
  // not _cancelled_exc: always a message, empty for a task (which ends with none).
  if (child.cancelled())
    return Outcome<T>::from_error(std::make_exception_ptr(CancelledError(child.cancel_message())),
                                  true);
  if (std::exception_ptr e = child.exception()) return Outcome<T>::from_error(e, false);
  if constexpr (std::is_void_v<T>)
    return Outcome<T>::from_value();
  else
    return Outcome<T>::from_value(slot_value<T>(child.result_slot()));
}

class GatheringBase;

// The done callback a gather puts on each distinct child (asyncio's _done_callback).
// Lives inside the gather (no allocation per child) and holds no reference to it while
// registered, so a gather never keeps itself alive through its children; once scheduled
// it holds one, until it has run.
class GatherChildWaiter final : public FutureWaiter {
 public:
  void on_future_done(Loop& loop, FutureBase& child) override;
  Enclosing enclosing() const noexcept override;
  void run() override;
  void drop() noexcept override;

  GatheringBase* owner_ = nullptr;
  FutureBase* child_ = nullptr;
};

// asyncio's _GatheringFuture and gather's _done_callback, minus the result's type.
class GatheringBase : public FutureBase {
 public:
  GatheringBase(Loop& loop, bool return_exceptions) noexcept
      : FutureBase(loop), return_exceptions_(return_exceptions) {}
  ~GatheringBase() override;

  // Cancels every unfinished child; true iff any accepted. Then the gather raises
  // CancelledError once all children are done, even with return_exceptions.
  bool cancel(std::optional<std::string> msg) override;
  std::string describe() const override;

  // Takes the arguments, in order. A future that appears more than once is awaited once,
  // and its result appears at each of its positions. No arguments: done at once.
  void start(std::vector<Ref<FutureBase>> children);
  std::size_t size() const noexcept { return children_.size(); }

 protected:
  // Every child is done and nothing failed (or return_exceptions): store the results.
  virtual void store_results() = 0;
  std::vector<Ref<FutureBase>> children_;  // argument order, duplicates included

 private:
  friend class GatherChildWaiter;
  void on_child_done(FutureBase& child);

  std::vector<GatherChildWaiter> waiters_;  // one per distinct child
  std::size_t nfinished_ = 0;               // distinct children done
  bool return_exceptions_;
  bool cancel_requested_ = false;
};

template <class R, class Build>
class Gathering final : public GatheringBase {
 public:
  Gathering(Loop& loop, bool return_exceptions, Build build)
      : GatheringBase(loop, return_exceptions), build_(std::move(build)) {}
  ~Gathering() override { slot_.destroy_if(stored_); }
  void* result_slot() noexcept override { return slot_.address(); }

 private:
  // Stored even when the gather then raises CancelledError (asyncio builds the results
  // first either way), so the slot's own flag, not the state, says whether to destroy.
  void store_results() override {
    slot_.emplace(build_(children_));
    stored_ = true;
  }
  bool stored_ = false;
  ResultSlot<R> slot_;
  Build build_;
};

template <class R, class Build>
Future<R> make_gathering(Loop& loop, bool return_exceptions, Build build,
                         std::vector<Ref<FutureBase>> children) {
  auto g = make_ref<Gathering<R, Build>>(loop, return_exceptions, std::move(build));
  g->start(std::move(children));
  return Future<R>(Ref<FutureBase>(std::move(g)));
}

Loop& gather_loop(const std::vector<Ref<FutureBase>>& children);

template <bool kOutcomes, class... Ts, std::size_t... I>
auto build_tuple(const std::vector<Ref<FutureBase>>& c, std::index_sequence<I...>) {
  if constexpr (kOutcomes)
    return std::tuple<Outcome<Ts>...>(child_outcome<Ts>(*c[I])...);
  else
    return std::tuple<GatherValue<Ts>...>(child_value<Ts>(*c[I])...);
}

template <bool kOutcomes, class... As>
auto gather_variadic(As&&... args) {
  using R = std::conditional_t<kOutcomes, std::tuple<Outcome<awaited_t<As>>...>,
                               std::tuple<GatherValue<awaited_t<As>>...>>;
  // Arguments become futures (coroutines: tasks) in argument order.
  std::vector<Ref<FutureBase>> children;
  (children.emplace_back(&to_future(std::forward<As>(args)).base()), ...);
  auto build = [](const std::vector<Ref<FutureBase>>& c) {
    return build_tuple<kOutcomes, awaited_t<As>...>(c, std::index_sequence_for<As...>{});
  };
  // The loop first: an argument moved from in the same call may be moved before it is read
  // (the order of argument evaluation is unspecified; g++ and clang differ).
  Loop& loop = gather_loop(children);
  return make_gathering<R>(loop, kOutcomes, build, std::move(children));
}

template <bool kOutcomes, class T, class Range>
auto gather_range(const Range& range) {
  using Elem = std::conditional_t<kOutcomes, Outcome<T>, GatherValue<T>>;
  std::vector<Ref<FutureBase>> children;
  children.reserve(range.size());
  for (const auto& f : range) children.emplace_back(&f.base());
  auto build = [](const std::vector<Ref<FutureBase>>& c) {
    std::vector<Elem> out;
    out.reserve(c.size());
    for (const auto& child : c) {
      if constexpr (kOutcomes)
        out.push_back(child_outcome<T>(*child));
      else
        out.push_back(child_value<T>(*child));
    }
    return out;
  };
  Loop& loop = gather_loop(children);  // before the move: see gather_variadic
  return make_gathering<std::vector<Elem>>(loop, kOutcomes, build, std::move(children));
}

}  // namespace internal

// gather(a, b, ...): a Future of the tuple of results. Arguments: Coro<T> (run as a task),
// Future<T> or Task<T>.
template <internal::AwaitableArg... As>
[[nodiscard]] auto gather(As&&... args) {
  return internal::gather_variadic<false>(std::forward<As>(args)...);
}
template <internal::AwaitableArg... As>
[[nodiscard]] auto gather(ReturnExceptions, As&&... args) {
  return internal::gather_variadic<true>(std::forward<As>(args)...);
}

// gather(range): a Future of the vector of results, in range order.
template <class T>
[[nodiscard]] Future<std::vector<internal::GatherValue<T>>> gather(
    const std::vector<Task<T>>& tasks) {
  return internal::gather_range<false, T>(tasks);
}
template <class T>
[[nodiscard]] Future<std::vector<internal::GatherValue<T>>> gather(
    const std::vector<Future<T>>& futures) {
  return internal::gather_range<false, T>(futures);
}
template <class T>
[[nodiscard]] Future<std::vector<Outcome<T>>> gather(ReturnExceptions,
                                                     const std::vector<Task<T>>& tasks) {
  return internal::gather_range<true, T>(tasks);
}
template <class T>
[[nodiscard]] Future<std::vector<Outcome<T>>> gather(ReturnExceptions,
                                                     const std::vector<Future<T>>& futures) {
  return internal::gather_range<true, T>(futures);
}

}  // namespace lockstep
