// Task<T>: a coroutine scheduled on the loop (asyncio.Task). A Task is a Future.
//
//   lockstep::Coro<int> work(int n) { co_await lockstep::sleep(1s); co_return n * 2; }
//
//   lockstep::Task<int> t = lockstep::create_task(work(21), "worker");  // starts next iteration
//   t.cancel("shutting down");     // only a request: delivered at t's current await
//   int v = co_await t;            // 42, or CancelledError("shutting down")
//
// cancel(msg) forwards to what the task awaits (a Future, a sleep, another Task) or, if
// it awaits nothing cancellable, raises CancelledError(msg) at the point where it next
// resumes. A task that catches CancelledError and returns normally is not cancelled.
// cancelling() counts pending requests and uncancel() withdraws one (asyncio 3.11).
// current_task() and all_tasks() see the running loop's tasks, in creation order.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/task_base.h"
#include "loop/loop.h"

namespace lockstep {

namespace internal {

template <class T>
class TaskState final : public TaskBase {
 public:
  TaskState(Loop& loop, std::coroutine_handle<CoroPromise<T>> root, std::string name,
            TaskNumbering numbering)
      : TaskBase(loop, root, std::move(name), numbering) {}
  ~TaskState() override { slot_.destroy_if(state() == State::kFinished); }

  void* result_slot() noexcept override { return slot_.address(); }

 private:
  PromiseBase& root_promise() noexcept override {
    return std::coroutine_handle<CoroPromise<T>>::from_address(root_.address()).promise();
  }
  std::exception_ptr root_failure() override {
    return static_cast<CoroPromise<T>&>(root_promise()).failure();
  }
  void take_result() override {
    if constexpr (!std::is_void_v<T>) {
      auto& p = static_cast<CoroPromise<T>&>(root_promise());
      slot_.emplace(p.take_value());
    }
  }

  ResultSlot<T> slot_;
};

}  // namespace internal

// A handle to any task, whatever its result type.
class AnyTask {
 public:
  AnyTask() = default;
  explicit AnyTask(internal::TaskBase* task) : task_(task) {}

  const std::string& get_name() const { return task_->name(); }
  void set_name(std::string name) { task_->set_name(std::move(name)); }
  bool cancel(std::optional<std::string> msg = std::nullopt) {
    return task_->cancel(std::move(msg));
  }
  int cancelling() const { return task_->cancelling(); }
  int uncancel() { return task_->uncancel(); }
  bool done() const { return task_->done(); }
  bool cancelled() const { return task_->cancelled(); }
  // A stable, loop-unique id (creation order); never an address.
  std::uint64_t id() const { return task_->id(); }

  explicit operator bool() const noexcept { return bool(task_); }
  friend bool operator==(const AnyTask& a, const AnyTask& b) noexcept {
    return a.task_.get() == b.task_.get();
  }
  internal::TaskBase* base() const noexcept { return task_.get(); }

 private:
  internal::Ref<internal::TaskBase> task_;
};

template <class T = void>
class Task : public Future<T> {
 public:
  Task() : Future<T>(internal::Ref<internal::FutureBase>()) {}

  const std::string& get_name() const { return task().name(); }
  void set_name(std::string name) { task().set_name(std::move(name)); }
  int cancelling() const { return task().cancelling(); }
  int uncancel() { return task().uncancel(); }
  std::uint64_t id() const { return task().id(); }
  explicit operator bool() const noexcept { return bool(this->state_); }
  operator AnyTask() const { return AnyTask(&task()); }

  // Creates the task; its first step is scheduled with call_soon.
  static Task spawn(Loop& loop, Coro<T> coro, std::string name,
                    internal::TaskNumbering numbering = internal::TaskNumbering::kIfUnnamed) {
    auto* state =
        new internal::TaskState<T>(loop, coro.release_for_task(), std::move(name), numbering);
    loop.push_ready(state);
    return Task(internal::Ref<internal::FutureBase>::adopt(state));
  }

 private:
  explicit Task(internal::Ref<internal::FutureBase> state) : Future<T>(std::move(state)) {}
  internal::TaskBase& task() const { return static_cast<internal::TaskBase&>(this->base()); }
};

template <class T>
Task<T> Loop::create_task(Coro<T> coro, std::string name) {
  return Task<T>::spawn(*this, std::move(coro), std::move(name));
}

namespace internal {
// asyncio 3.11's create_task(coro, name=...) (and TaskGroup.create_task): the task is
// created unnamed, taking a "Task-<n>" number, and named afterwards - here in one go,
// so an observer sees it created with its name.
template <class T>
Task<T> spawn_then_name(Loop& loop, Coro<T> coro, std::string name) {
  return Task<T>::spawn(loop, std::move(coro), std::move(name), TaskNumbering::kAlways);
}
}  // namespace internal

// create_task on the running loop (asyncio.create_task). Throws std::logic_error if no
// loop is running. As in 3.11, the task is created unnamed and then named, so a named
// task still takes a "Task-<n>" number (Loop::create_task(coro, name) does not).
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {}) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: create_task() needs a running loop");
  return internal::spawn_then_name(*loop, std::move(coro), std::move(name));
}

template <CoroConvertible A>
auto create_task(A&& awaitable, std::string name = {}) {
  return create_task(as_coro(std::forward<A>(awaitable)), std::move(name));
}

// asyncio.ensure_future: a coroutine becomes a task on the running loop; a Future or
// Task is returned as is.
template <class T>
Task<T> ensure_future(Coro<T> coro, std::string name = {}) {
  return create_task(std::move(coro), std::move(name));
}
template <CoroConvertible A>
auto ensure_future(A&& awaitable, std::string name = {}) {
  return create_task(as_coro(std::forward<A>(awaitable)), std::move(name));
}
template <class T>
Future<T> ensure_future(Future<T> future) {
  return future;
}

// The task running now on this thread's loop; empty between steps or with no loop.
AnyTask current_task();
// The running loop's clock (asyncio: get_running_loop().time()): virtual time under
// simulation, which moves only when every task waits. RuntimeError with no running loop.
//
//   const lockstep::TimePoint start = lockstep::now();
//   co_await lockstep::sleep(100ms);
//   lockstep::Duration took = lockstep::now() - start;   // >= 100ms: see docs/time.md
TimePoint now();
// Pending tasks of the running loop, in creation order.
std::vector<AnyTask> all_tasks();

}  // namespace lockstep
