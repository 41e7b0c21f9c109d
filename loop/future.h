// Future<T>: a result that arrives later (asyncio.Future).
//
//   lockstep::Future<int> f = loop.create_future<int>();     // or Future<int>(loop)
//   loop.call_later(1s, [f]() mutable { f.set_result(42); });
//   int v = co_await f;                                        // inside a coroutine
//
//   f.add_done_callback([](lockstep::Future<int>& done) { ... });  // scheduled, never inline
//
// A Future is a shared handle: copies refer to the same state. States: pending, finished
// (a value), failed (an exception), cancelled. Done callbacks run through call_soon in
// registration order. result() throws the exception, CancelledError, or
// InvalidStateError while pending. An exception nobody retrieved (result(), exception()
// or an await) is reported to the loop's exception handler when the last handle goes.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "loop/errors.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"
#include "loop/loop.h"
#include "loop/source_location.h"

namespace lockstep {

namespace internal {

// Storage for a future's value. It holds a T exactly when its future is kFinished, and
// the future's destructor destroys it then: no engaged flag of its own (std::optional's
// costs a padded word in every task and future).
template <class T>
class ResultSlot {
 public:
  ResultSlot() noexcept {}
  ResultSlot(const ResultSlot&) = delete;
  ~ResultSlot() {}  // see destroy_if()
  template <class U>
  void emplace(U&& v) {
    ::new (static_cast<void*>(std::addressof(value_))) T(std::forward<U>(v));
  }
  void destroy_if(bool has_value) noexcept {
    if (has_value) value_.~T();
  }
  void* address() noexcept { return std::addressof(value_); }

 private:
  union {
    T value_;
  };
};
template <>
struct ResultSlot<void> {
  void destroy_if(bool) noexcept {}
  void* address() noexcept { return nullptr; }
};

// The value of a finished future whose result slot is at `slot`.
template <class T>
T& slot_value(void* slot) noexcept {
  return *static_cast<T*>(slot);
}

// A plain future's state: the core plus a typed result slot and where it was created.
template <class T>
class FutureState final : public FutureBase {
 public:
  FutureState(Loop& loop, SourceLocation created) : FutureBase(loop), created_(created) {}
  ~FutureState() override { slot_.destroy_if(state() == State::kFinished); }
  void* result_slot() noexcept override { return slot_.address(); }
  std::string describe() const override { return "a Future created at " + created_.to_string(); }
  TextKey wait_text_key() const noexcept override { return {created_.file, created_.line}; }
  void append_wait_text(std::string& out) const override {
    out += "a Future created at ";
    created_.append_to(out);
  }

 private:
  ResultSlot<T> slot_;
  SourceLocation created_;  // for diagnostics: which future a deadlock waits on
};

// Why set_result()/set_exception() cannot be called on `state`: a Task, or done already.
[[noreturn]] void throw_not_settable(const FutureBase& state, const char* what);

// The current task, for awaiters. Awaiting is only possible inside a task's step.
inline TaskBase& current_task_for_await() {
  Loop* loop = Loop::current();
  TaskBase* task = loop ? loop->current_task() : nullptr;
  if (!task) throw RuntimeError("lockstep: co_await outside a running task");
  return *task;
}

// Awaits any future-like state: suspends the current task until it completes.
template <class T>
class FutureAwaiter {
 public:
  // `sole_owner`: the awaited handle is a temporary (`co_await gather(...)`); if no other
  // handle refers to the future either, nobody can read the value after this await, so it
  // is moved out rather than copied (a million-element gather result is not copied).
  explicit FutureAwaiter(FutureBase* state, bool sole_owner = false)
      : state_(state), temporary_(sole_owner) {}
  // asyncio: awaiting a done future does not yield to the loop.
  bool await_ready() const noexcept { return state_->done(); }
  void await_suspend(std::coroutine_handle<> h) {
    TaskBase& task = current_task_for_await();
    if (&task.loop() != &state_->loop())
      throw RuntimeError("lockstep: " + task.describe() +
                         " awaits a Future attached to a different loop");
    if (static_cast<FutureBase*>(&task) == state_)
      throw RuntimeError("lockstep: " + task.describe() + " cannot await on itself");
    task_ = &task;
    state_->add_waiter(&task);
    task.suspend_on(h, *state_);
  }
  T await_resume() {
    check_cancel_request();
    if (state_->state() != FutureBase::State::kFinished) [[unlikely]] {
      // Raise here, in the awaiting coroutine's own frame: the unwinder's cost grows with
      // every frame between the throw and the handler, and cancellation is a hot path.
      if (std::exception_ptr e = state_->take_error()) std::rethrow_exception(std::move(e));
      state_->check_result();  // still pending: InvalidStateError
    }
    return value();
  }

  // After a suspension: raises the CancelledError of a cancel() the task received while
  // its wakeup was already scheduled (asyncio: _must_cancel at __step).
  void check_cancel_request() {
    if (task_) task_->throw_if_cancel_requested(state_);
  }
  // True iff the awaiting task suspended and a cancel() of it went to this future.
  bool cancel_forwarded() const noexcept { return task_ && task_->cancel_forwarded(); }
  // The finished future's value: a copy, or moved out if T is move-only (then it can be
  // awaited once).
  T value() {
    if constexpr (!std::is_void_v<T>) {
      T& v = slot_value<T>(state_->result_slot());
      if constexpr (std::is_copy_constructible_v<T>) {
        if (temporary_ && state_->ref_count() == 1) return std::move(v);
        return v;
      } else {
        return std::move(v);
      }
    }
  }

 private:
  FutureBase* state_;         // kept alive by the awaited handle for the whole co_await
  TaskBase* task_ = nullptr;  // set iff the task suspended
  bool temporary_;            // the awaited handle is an rvalue (see the constructor)
};

}  // namespace internal

// Identifies a done callback for remove_done_callback.
using CallbackId = std::uint64_t;

template <class T = void>
class Future {
 public:
  using value_type = T;

  // A pending future on the running loop (throws std::logic_error if none runs).
  explicit Future(SourceLocation created = SourceLocation::current())
      : Future(running_loop(), created) {}
  // A pending future bound to `loop`.
  explicit Future(Loop& loop, SourceLocation created = SourceLocation::current())
      : state_(internal::make_ref<internal::FutureState<T>>(loop, created)) {}

  bool done() const noexcept { return state_->done(); }
  bool cancelled() const noexcept { return state_->cancelled(); }

  // Completes the future with a value. InvalidStateError if it is done already.
  template <class U = T>
  requires(!std::is_void_v<U>) void set_result(U&& value) {
    check_settable("set_result");
    ::new (state_->result_slot()) T(std::forward<U>(value));
    state_->mark_finished();
  }
  void set_result() requires std::is_void_v<T> {
    check_settable("set_result");
    state_->mark_finished();
  }
  // Completes the future with an exception. InvalidStateError if done already.
  void set_exception(std::exception_ptr e) {
    check_settable("set_exception");
    state_->set_exception(std::move(e));
  }
  template <class E>
  requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>) void set_exception(E&& e) {
    set_exception(std::make_exception_ptr(std::forward<E>(e)));
  }
  // Cancels the future (for a task: requests cancellation). Returns false iff done.
  // cancel() gives CancelledError() (no message), cancel("") CancelledError("").
  bool cancel(std::optional<std::string> msg = std::nullopt) {
    return state_->cancel(std::move(msg));
  }

  // The value. Throws the stored exception, CancelledError, or InvalidStateError.
  decltype(auto) result() const {
    state_->check_result();
    if constexpr (!std::is_void_v<T>) return static_cast<const T&>(slot());
  }
  // The stored exception, or null if finished with a value. Throws CancelledError if
  // cancelled, InvalidStateError if pending.
  std::exception_ptr exception() const { return state_->exception(); }

  // Schedules fn(Future<T>&) (or fn()) once the future is done, in registration order;
  // at once (through call_soon) if it is done already.
  template <class F>
  CallbackId add_done_callback(F fn) const {
    return internal::add_done_callback(*state_,
                                       [fn = std::move(fn)](internal::FutureBase& base) mutable {
                                         if constexpr (std::is_invocable_v<F&, Future<T>&>) {
                                           Future<T> f{internal::Ref<internal::FutureBase>(&base)};
                                           fn(f);
                                         } else {
                                           fn();
                                         }
                                       });
  }
  // Removes a callback that has not been scheduled yet. Returns how many were removed.
  std::size_t remove_done_callback(CallbackId id) const { return state_->remove_done_callback(id); }

  Loop& get_loop() const noexcept { return state_->loop(); }

  internal::FutureAwaiter<T> operator co_await() const& noexcept {
    return internal::FutureAwaiter<T>(state_.get());
  }
  internal::FutureAwaiter<T> operator co_await() && noexcept {
    return internal::FutureAwaiter<T>(state_.get(), /*sole_owner=*/true);
  }

  internal::FutureBase& base() const noexcept { return *state_; }
  friend bool operator==(const Future& a, const Future& b) noexcept {
    return a.state_.get() == b.state_.get();
  }

  explicit Future(internal::Ref<internal::FutureBase> state) noexcept : state_(std::move(state)) {}

 protected:
  internal::Ref<internal::FutureBase> state_;

 private:
  static Loop& running_loop() {
    Loop* loop = Loop::current();
    if (!loop) throw RuntimeError("lockstep: Future() needs a running loop; use Future(loop)");
    return *loop;
  }
  void check_settable(const char* what) const {
    if (state_->is_task() || state_->done()) [[unlikely]]
      internal::throw_not_settable(*state_, what);
  }
  auto& slot() const requires(!std::is_void_v<T>) {
    return internal::slot_value<T>(state_->result_slot());
  }
};

template <class T>
Future<T> Loop::create_future(SourceLocation created) {
  return Future<T>(*this, created);
}

}  // namespace lockstep
