// The type-erased core shared by Future<T> and Task<T>: state, callbacks, exception,
// cancellation. User code uses Future<T> (future.h) and Task<T> (task.h).
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "loop/errors.h"
#include "loop/internal/pool.h"
#include "loop/internal/ready_queue.h"
#include "loop/internal/ref_counted.h"
#include "loop/loop.h"
#include "loop/source_location.h"

namespace lockstep::internal {

class FutureBase;

// What a waiter on a task stands for, seen from inside that task: a task awaiting it, or
// a structure (gather, shield, TaskGroup) it runs in. Cancellation fuzzing aims at "the
// gather around this await" through it.
struct Enclosing {
  enum class Kind : std::uint8_t { kNone, kAwaitingTask, kGather, kShield, kTaskGroup };
  Kind kind = Kind::kNone;
  // kAwaitingTask: that task; kGather: the gather; kShield: the outer future;
  // kTaskGroup: the task that runs the group.
  FutureBase* future = nullptr;
  explicit operator bool() const noexcept { return kind != Kind::kNone; }
};

// Something to schedule when a future completes: a task's wakeup or a done callback.
class FutureWaiter : public ReadyNode {
 public:
  // The future is done: enter the ready queue (asyncio: call_soon(callback, future)).
  virtual void on_future_done(Loop& loop, FutureBase& future) = 0;
  // What this waiter stands for (see Enclosing). Default: nothing in particular.
  virtual Enclosing enclosing() const noexcept { return {}; }

 protected:
  ~FutureWaiter() = default;
};

// A future's state. A suspended task waits on exactly one of these (asyncio's
// Task._fut_waiter); cancelling the task cancels it, which wakes the task through the
// normal completion path.
class FutureBase : public RefCounted {
 public:
  enum class State : std::uint8_t { kPending, kFinished, kFailed, kCancelled };

  explicit FutureBase(Loop& loop, bool is_task = false) noexcept
      : is_task_(is_task), node_(loop.current_node()), loop_(&loop) {
    loop.on_future_created();
  }
  ~FutureBase() override {
    if (log_traceback_ || !callbacks_.empty()) [[unlikely]]
      report_and_drop_callbacks();
    loop_->on_future_destroyed();
  }

  Loop& loop() const noexcept { return *loop_; }
  State state() const noexcept { return state_; }
  bool done() const noexcept { return state_ != State::kPending; }
  bool cancelled() const noexcept { return state_ == State::kCancelled; }
  bool is_task() const noexcept { return is_task_; }
  // The node it belongs to (a task: the node it runs on), or kNoNode.
  NodeId node() const noexcept { return node_; }

  // Future.cancel(msg): false if already done; else cancelled, callbacks scheduled.
  // A task overrides it with Task.cancel (a request). No message (nullopt) is not the
  // same as an empty one, as in Python.
  virtual bool cancel(std::optional<std::string> msg);
  // Throws InvalidStateError unless pending. Call before storing a result.
  void check_settable(const char* what) const {
    if (state_ != State::kPending) [[unlikely]]
      throw_not_settable(what);
  }
  // The derived class stored the value: finish and schedule callbacks.
  void mark_finished() { complete(State::kFinished); }
  void set_exception(std::exception_ptr e);

  // Future.result() minus the value: throws the stored exception, CancelledError, or
  // InvalidStateError when pending; returns normally iff a value is there.
  void check_result() {
    if (state_ != State::kFinished) [[unlikely]]
      throw_result_error();
  }
  // Future.exception(): the stored exception or null; CancelledError / InvalidStateError.
  std::exception_ptr exception();
  // For a failed or cancelled future: the exception result() would throw, without
  // throwing it (marks it retrieved, like result()).
  std::exception_ptr take_error();
  // The message given to cancel(msg), "" if none.
  const std::string& cancel_message() const noexcept;
  // The message given to cancel(msg), nullopt if none was given.
  std::optional<std::string> cancel_message_if_any() const;
  // CancelledError(msg) with this future's cancel message, or CancelledError() if none.
  CancelledError cancelled_error() const { return CancelledError(cancel_message_if_any()); }

  // Adds a waiter scheduled when the future completes, in registration order.
  // The future must be pending.
  void add_waiter(FutureWaiter* waiter) noexcept { callbacks_.push_back(waiter); }
  // Unlinks a waiter that has not been scheduled; true iff it was found.
  bool remove_waiter(FutureWaiter* waiter) noexcept { return callbacks_.remove(waiter); }
  // Future.remove_done_callback: unlinks the not-yet-scheduled callback `id`; returns
  // the number removed (0 or 1).
  std::size_t remove_done_callback(std::uint64_t id) noexcept;
  // Its exception, if it ever fails, counts as retrieved (see failure_retrieved_in_advance_).
  void retrieve_failure_in_advance() noexcept { failure_retrieved_in_advance_ = true; }
  // The first waiter, in registration order, that stands for something (see Enclosing).
  Enclosing enclosing_waiter() const noexcept {
    for (const ReadyNode* n = callbacks_.front(); n; n = callbacks_.next(n))
      if (Enclosing e = static_cast<const FutureWaiter*>(n)->enclosing()) return e;
    return {};
  }

  // For deadlock reports, e.g. "Task 'worker'" or "a Future created at main.cc:12".
  virtual std::string describe() const = 0;
  // describe() and, where known, the state of what it stands for, for deadlock and
  // budget reports: "Lock.acquire() of the Lock created at pool.cc:12, held by Task 'a'".
  virtual std::string diagnose() const { return describe(); }
  // What a task waiting on this future waits for, said as briefly as it can be, for the
  // observer's kTaskSuspended (traces store one per suspension): describe() unless shorter.
  virtual std::string wait_text() const { return describe(); }
  // Appends wait_text() to `out`: what the observer's kTaskSuspended is built with, once
  // per suspension of a recorded run, into a buffer the loop reuses; the futures tasks
  // wait on most override it to do so without allocating.
  virtual void append_wait_text(std::string& out) const { out += wait_text(); }
  // A key that determines wait_text() (two futures with equal keys have equal texts),
  // so the loop can reuse a text built before; {nullptr, 0} if there is none. Only ever
  // compared: it changes no output.
  using TextKey = WaitTextKey;
  virtual TextKey wait_text_key() const noexcept { return {}; }
  // Where the call that made this future for an await was written (sleep(), Queue.get(),
  // Lock.acquire() ... take it as a defaulted argument): in practice, the line of the
  // co_await. Empty if unknown (a Task, a user's Future, a gather).
  virtual SourceLocation await_site() const noexcept { return {}; }
  // Address of the derived class's std::optional<T> result slot (nullptr for void).
  virtual void* result_slot() noexcept = 0;

 protected:
  // Marks done in state `s` and schedules the callbacks.
  void complete(State s) {
    state_ = s;
    if (callbacks_.empty()) return;
    if (callbacks_.front() == callbacks_.back()) {  // the common case: one waiter
      static_cast<FutureWaiter*>(callbacks_.pop_front())->on_future_done(*loop_, *this);
      return;
    }
    schedule_callbacks();
  }
  void set_cancel_message(std::optional<std::string> msg);
  // The task finished by letting CancelledError `e` escape (asyncio: _cancelled_exc).
  void cancel_with_error(std::exception_ptr e);

  // Small fields first: they fill the tail padding of RefCounted.
  State state_ = State::kPending;
  bool log_traceback_ = false;  // an exception nobody retrieved yet
  // A gather that gave up waiting for this future (it failed, and its caller dropped it)
  // still counts as retrieving its exception, as asyncio's gather _done_callback does.
  bool failure_retrieved_in_advance_ = false;
  const bool is_task_;

 public:
  // Scratch flag for O(1) "seen before?" within one synchronous operation (see
  // FutureMarks); false outside of one. Fills padding: costs no memory.
  bool mark_ = false;

 protected:
  // The node it was made on (Loop::current_node()): a node that lost power reports none
  // of its unretrieved errors. Fills padding too.
  NodeId node_;
  Loop* loop_;
  std::unique_ptr<std::string> cancel_message_;  // cancel(msg)'s message; null: none given
  std::exception_ptr exception_;  // kFailed: the error; kCancelled: an escaped CancelledError
  NodeList callbacks_;            // FutureWaiters, scheduled in order on completion

 private:
  void schedule_callbacks();
  void report_and_drop_callbacks() noexcept;
  [[noreturn]] void throw_not_settable(const char* what) const;
  [[noreturn]] void throw_result_error();
};

// A done callback (add_done_callback): a node holding the callable. While registered on
// a pending future it is also on the loop's list of pending callbacks, so that
// Loop::close() can discard them all: a callback may own references that lead back to
// its future (gather, shield), and without a garbage collector only discarding the
// callback breaks such a cycle.
class DoneCallbackNode : public FutureWaiter {
 public:
  DoneCallbackNode(Loop& loop, std::uint64_t id)
      : loop_(&loop), id_(id), node_(loop.current_node()) {}
  virtual ~DoneCallbackNode() = default;
  std::uint64_t id() const noexcept { return id_; }

  // Registers on pending `future`: runs once it completes.
  void register_on(FutureBase& future) noexcept;
  // Unlinks from the future it is registered on (see register_on) and deletes itself.
  void discard() noexcept;

  void on_future_done(Loop& loop, FutureBase& future) override;
  void run() final;
  void drop() noexcept final;

  static void* operator new(std::size_t size) { return pool_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { pool_deallocate(p, size); }

  DoneCallbackNode* prev_pending_ = nullptr;  // the loop's list of registered callbacks
  DoneCallbackNode* next_pending_ = nullptr;

 protected:
  virtual void invoke(FutureBase& future) = 0;

 private:
  [[gnu::noinline]] void invoke_observed();  // invoke() with the loop's callback cause set
  void run_here();
  [[gnu::noinline]] void run_on_node();  // run() of a node's callback: switch, or drop
  Loop* loop_;
  FutureBase* registered_on_ = nullptr;  // the pending future whose list holds this node
  Ref<FutureBase> future_;               // set once scheduled: the callback's argument
  std::uint64_t id_;
  NodeId node_;  // the node that added it (see Loop::current_node())
};

template <class F>
class DoneFn final : public DoneCallbackNode {
 public:
  DoneFn(Loop& loop, std::uint64_t id, F fn) : DoneCallbackNode(loop, id), fn_(std::move(fn)) {}

 private:
  void invoke(FutureBase& future) override { fn_(future); }
  F fn_;
};

// A done callback that stands for a structure around the future (see Enclosing).
template <class F>
class EnclosingDoneFn final : public DoneCallbackNode {
 public:
  EnclosingDoneFn(Loop& loop, std::uint64_t id, F fn, Enclosing enclosing)
      : DoneCallbackNode(loop, id), fn_(std::move(fn)), enclosing_(enclosing) {}
  Enclosing enclosing() const noexcept override { return enclosing_; }

 private:
  void invoke(FutureBase& future) override { fn_(future); }
  F fn_;
  Enclosing enclosing_;  // its future is kept alive by fn_'s captures
};

// add_done_callback for any future: fn(FutureBase&) runs through call_soon once `future`
// is done (at once if it is). Returns the id for remove_done_callback. With an
// `enclosing`, the callback stands for that structure (fn must keep its future alive).
template <class F>
std::uint64_t add_done_callback(FutureBase& future, F fn, Enclosing enclosing = {}) {
  Loop& loop = future.loop();
  const std::uint64_t id = loop.next_future_id();
  DoneCallbackNode* node;
  if (enclosing)
    node = new EnclosingDoneFn<F>(loop, id, std::move(fn), enclosing);
  else
    node = new DoneFn<F>(loop, id, std::move(fn));
  if (future.done())
    node->on_future_done(loop, future);
  else
    node->register_on(future);
  return id;
}

}  // namespace lockstep::internal
