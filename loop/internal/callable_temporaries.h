// A guard for callables that lockstep APIs take and that code passes inline, as a lambda
// written inside a co_await expression:
//
//   co_await lockstep::task_group([name](lockstep::TaskGroup& g) -> lockstep::Coro<void> {...});
//
// g++ before 13 destroys a temporary twice when it is aggregate-initialized inside a
// co_await expression, and a lambda with captures is one (GCC PR 100611): a captured
// std::string is freed twice, on every run (clang is correct). No callee can repair
// that: the compiler duplicates the temporary in the caller. So under those compilers
// such a callable must be trivially destructible (captures by reference, ints,
// pointers); anything else is refused at compile time with the way out: name the lambda
// first (`auto body = [name](...) {...}; co_await task_group(body);`), which is safe
// everywhere.
#pragma once

#include <type_traits>

namespace lockstep::internal {

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
inline constexpr bool kCompilerDestroysInlineLambdasTwice = true;
#else
inline constexpr bool kCompilerDestroysInlineLambdasTwice = false;
#endif

// True iff passing a `F&&` (an rvalue when F is not a reference) is safe inside co_await.
template <class F>
inline constexpr bool kSafeInlineCallable =
    !kCompilerDestroysInlineLambdasTwice || std::is_lvalue_reference_v<F> ||
    std::is_trivially_destructible_v<std::remove_cvref_t<F>>;

}  // namespace lockstep::internal

// In a function taking `F&& fn`: refuses, under g++ < 13, a temporary callable whose
// destructor does something (see above).
#define LOCKSTEP_CHECK_INLINE_CALLABLE(F, api)                                              \
  static_assert(::lockstep::internal::kSafeInlineCallable<F>,                               \
                "lockstep: " api                                                            \
                ": g++ < 13 destroys a lambda with non-trivial captures "                   \
                "twice when it is written inside co_await (GCC PR 100611); name it first: " \
                "auto body = [...](...) {...}; co_await " api "(body); or capture by reference")
