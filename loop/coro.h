// Coro<T>: the return type of an async function.
//
//   lockstep::Coro<int> add(int a, int b) {
//     co_await lockstep::sleep(1ms);
//     co_return a + b;
//   }
//   lockstep::Coro<void> caller() {
//     int x = co_await add(1, 2);   // runs inline, like `await add(1, 2)` in Python
//   }
//
// A Coro is lazy: nothing runs until it is awaited or given to create_task. Awaiting it
// runs it inline in the awaiting task (no trip through the loop; a child that completes
// synchronously costs no stack, one that suspends resumes its parent by symmetric
// transfer). Its exceptions propagate to the
// awaiter. It is move-only and can be awaited once; awaiting it again, or awaiting a
// moved-from Coro, throws lockstep::RuntimeError naming the task that tried.
//
// Pitfall (as in every C++ coroutine library): parameters taken by reference and lambda
// captures must outlive the coroutine; take parameters by value.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "loop/errors.h"
#include "loop/internal/pool.h"

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#define LOCKSTEP_HAS_CXXABI 1
#endif

namespace lockstep {

template <class T>
class Coro;

namespace internal {

class TaskBase;

enum class CoroMisuse : std::uint8_t { kEmpty, kReused };
// RuntimeError for awaiting (or create_task of) an empty or already started Coro, naming
// the task that tried (asyncio: "cannot reuse already awaited coroutine").
[[noreturn]] void throw_coro_misuse(CoroMisuse what);

// True iff the exception being handled is a CancelledError. Uses the Itanium ABI's
// type query where available: a rethrow to find out would double the cost of every
// cancellation (the cancel benchmark is dominated by throws).
inline bool handling_cancelled_error() noexcept {
#ifdef LOCKSTEP_HAS_CXXABI
  const std::type_info* t = abi::__cxa_current_exception_type();
  return t && *t == typeid(CancelledError);
#else
  try {
    throw;
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
#endif
}

class PromiseBase {
 public:
  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      // Finished without ever suspending: the awaiter's await_suspend is still on the
      // stack and continues the parent by returning false (see Coro::Awaiter).
      if (p.running_inline_) return std::noop_coroutine();
      // Finished after suspending: resume the awaiting coroutine directly (symmetric
      // transfer). A task's root coroutine has no continuation: back to the task's step.
      return p.continuation_ ? p.continuation_ : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  static void* operator new(std::size_t size) { return pool_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }

  std::coroutine_handle<> continuation_;  // the inline awaiter to resume when done
  bool has_exception_ = false;            // an exception escaped the body (see failure())
  bool exception_is_cancel_ = false;      // ... and it is a CancelledError
  bool has_value_ = false;                // the body returned a value (CoroPromise<T>)
  bool started_ = false;                  // awaited or given to a task already
  bool running_inline_ = false;           // inside its awaiter's await_suspend

 protected:
  void note_exception() noexcept {
    has_exception_ = true;
    exception_is_cancel_ = handling_cancelled_error();
  }
};

template <class T>
class CoroPromise : public PromiseBase {
 public:
  CoroPromise() noexcept {}
  CoroPromise(const CoroPromise&) = delete;
  ~CoroPromise() {
    if (has_value_) value_.~T();
    if (has_exception_) exception_.~exception_ptr();
  }
  Coro<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    ::new (static_cast<void*>(std::addressof(value_))) T(std::forward<U>(v));
    has_value_ = true;
  }
  void unhandled_exception() noexcept {
    ::new (static_cast<void*>(std::addressof(exception_)))
        std::exception_ptr(std::current_exception());
    note_exception();
  }
  T take_value() { return std::move(value_); }
  // What escaped the body; only when has_exception_.
  const std::exception_ptr& failure() const noexcept { return exception_; }

 private:
  // A body either returns or throws, so the value and the exception share storage, and
  // the flags that say which live in PromiseBase's padding: the frame of `co_return i;`
  // is 64 bytes, not the 80 of an optional<T> beside an exception_ptr.
  union {
    T value_;
    std::exception_ptr exception_;
  };
};

template <>
class CoroPromise<void> : public PromiseBase {
 public:
  Coro<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void unhandled_exception() noexcept {
    exception_ = std::current_exception();
    note_exception();
  }
  void take_value() noexcept {}
  const std::exception_ptr& failure() const noexcept { return exception_; }

 private:
  std::exception_ptr exception_;
};

}  // namespace internal

template <class T = void>
class [[nodiscard("a Coro does nothing unless awaited or given to create_task")]] Coro {
 public:
  using promise_type = internal::CoroPromise<T>;
  using value_type = T;

  Coro() noexcept = default;
  Coro(Coro && o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Coro& operator=(Coro&& o) noexcept {
    if (this != &o) {
      destroy();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  ~Coro() { destroy(); }

  // True iff this Coro owns a coroutine (not moved-from or default-constructed).
  explicit operator bool() const noexcept { return bool(h_); }
  // True iff the coroutine ran to completion.
  bool done() const noexcept { return h_ && h_.done(); }

  class Awaiter {
   public:
    explicit Awaiter(std::coroutine_handle<promise_type> h) : h_(h) {}
    bool await_ready() const {
      check_awaitable(h_);
      return false;
    }
    // Runs the child now, inside the awaiting task's step. A child that completes
    // without suspending returns here and the parent continues (false: no suspension),
    // so a loop of synchronous awaits runs in constant stack whether or not the
    // compiler turns symmetric transfer into a tail call (GCC at -O0 and under ASan does
    // not). A child that suspends resumes its parent by symmetric transfer when done.
    bool await_suspend(std::coroutine_handle<> caller) {
      promise_type& p = h_.promise();
      p.continuation_ = caller;
      p.started_ = true;
      p.running_inline_ = true;
      h_.resume();
      if (h_.done()) return false;
      p.running_inline_ = false;
      return true;
    }
    T await_resume() {
      promise_type& p = h_.promise();
      if (p.has_exception_) std::rethrow_exception(p.failure());
      return p.take_value();
    }

   private:
    std::coroutine_handle<promise_type> h_;
  };
  Awaiter operator co_await()& { return Awaiter(h_); }
  Awaiter operator co_await()&& { return Awaiter(h_); }

  // Takes ownership of the coroutine (for create_task). Throws like awaiting would.
  std::coroutine_handle<promise_type> release_for_task() {
    check_awaitable(h_);
    h_.promise().started_ = true;
    return std::exchange(h_, nullptr);
  }

 private:
  friend class internal::CoroPromise<T>;
  explicit Coro(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}

  static void check_awaitable(std::coroutine_handle<promise_type> h) {
    if (!h) [[unlikely]]
      internal::throw_coro_misuse(internal::CoroMisuse::kEmpty);
    if (h.promise().started_) [[unlikely]]
      internal::throw_coro_misuse(internal::CoroMisuse::kReused);
  }
  void destroy() noexcept {
    if (h_) std::exchange(h_, nullptr).destroy();
  }

  std::coroutine_handle<promise_type> h_;
};

// An awaitable that can also be run as a Coro<value_type>: operations whose usual case
// completes without suspending (Queue.get, Queue.put) return one, so that case costs no
// coroutine frame, while create_task(q.get()), wait_for(q.get(), 1s), gather(...) and
// the like still take it, as asyncio takes the coroutine `q.get()`.
template <class A>
inline constexpr bool is_coro_v = false;
template <class T>
inline constexpr bool is_coro_v<Coro<T>> = true;

template <class A>
concept CoroConvertible = !is_coro_v<std::remove_cvref_t<A>> && requires(A && a) {
  typename std::remove_cvref_t<A>::value_type;
  static_cast<Coro<typename std::remove_cvref_t<A>::value_type>>(std::move(a));
};
template <class A>
using coro_of_t = Coro<typename std::remove_cvref_t<A>::value_type>;
// Converts a CoroConvertible awaitable into its Coro.
template <CoroConvertible A>
coro_of_t<A> as_coro(A&& a) {
  return static_cast<coro_of_t<A>>(std::move(a));
}

namespace internal {
template <class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
  return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
  return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
}  // namespace internal

}  // namespace lockstep
