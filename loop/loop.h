// The event loop: asyncio's scheduling model on a pluggable clock.
//
//   lockstep::Loop loop;                                   // virtual time, asyncio order
//   loop.call_soon([] { std::puts("first"); });
//   loop.call_later(2s, [&] { std::puts("at t=2s"); loop.stop(); });
//   loop.run_forever();                                    // returns instantly, t == 2s
//
//   int v = loop.run_until_complete(compute());           // a Coro<int> or a Future<int>
//
// Semantics follow CPython 3.11's BaseEventLoop._run_once: each iteration waits (in
// virtual time: jumps) until the earliest timer if nothing is ready, moves every due
// timer to the ready queue in (deadline, scheduling order), then runs exactly the
// callbacks that were ready when the iteration began; callbacks they schedule run in the
// next iteration. Where a simulation may perturb this (see decision_source.h) the loop
// asks its DecisionSource; with none installed the order is exactly asyncio's.
//
// A Loop belongs to one thread and must outlive every Future and Task created on it.
// Other threads enter it only through call_soon_threadsafe (and what is built on it:
// run_coroutine_threadsafe, run_in_executor's completions).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "loop/clock.h"
#include "loop/decision_source.h"
#include "loop/driver.h"
#include "loop/handle.h"
#include "loop/internal/inbox.h"
#include "loop/internal/ready_queue.h"
#include "loop/node.h"
#include "loop/observer.h"
#include "loop/source_location.h"

namespace lockstep {

template <class T>
class Future;
template <class T>
class Task;
template <class T>
class Coro;
class AnyTask;
class Executor;
class FileSystem;
class Network;
class Timeout;

namespace internal {
class DebugView;
class TaskBase;
class FutureBase;
class DoneCallbackNode;
class FdWatch;
struct FdWatches;

// See FutureBase::wait_text_key.
struct WaitTextKey {
  const void* p = nullptr;
  std::uint64_t n = 0;
  friend bool operator==(const WaitTextKey&, const WaitTextKey&) = default;
};
}  // namespace internal

// What went wrong, for the loop's exception handler (asyncio's "context" dict).
struct ExceptionContext {
  std::string message;           // e.g. "Task exception was never retrieved"
  std::exception_ptr exception;  // may be null
  std::string task;              // name of the task concerned, or ""
  std::uint64_t task_id = 0;     // its id (Task::id()), or 0
  // An exception nobody retrieved: "Task exception was never retrieved" (task set) or
  // "Future exception was never retrieved". Test harnesses turn these into failures.
  bool unretrieved = false;
};

// Human-readable "Type: what" of an exception, for diagnostics and logs.
std::string describe_exception(const std::exception_ptr& e);

class Loop;
using ExceptionHandler = std::function<void(Loop&, const ExceptionContext&)>;

// What a loop with no handler of its own does (asyncio's default_exception_handler):
// prints the message, the task and the exception to stderr.
void default_exception_handler(Loop& loop, const ExceptionContext& context);

struct LoopOptions {
  // Nondeterministic choices; nullptr = asyncio's behaviour exactly. Not owned.
  DecisionSource* decisions = nullptr;
  // Time and waiting; nullptr = a VirtualDriver owned by the loop. Not owned.
  Driver* driver = nullptr;
  // Budgets, for virtual time only (a loop on a real-time driver has none): they turn a
  // simulated livelock or endless retry loop into BudgetExceededError, naming the tasks
  // that kept running.
  // A run that takes more steps (callbacks and task steps) stops with BudgetExceededError.
  // 0 = no limit.
  std::uint64_t max_steps = 100'000'000;
  // A run whose clock passes this stops with BudgetExceededError. Duration::zero() = no limit.
  // A day of virtual time: an endless `sleep(1s)` retry loop stops after 86,400 rounds (a
  // fraction of a second), and a busy loop at max_steps (a few seconds).
  Duration max_time = std::chrono::hours(24);
  // Receives errors nobody else can (see call_exception_handler). Empty = print to stderr.
  ExceptionHandler exception_handler = {};
  // Sees task lifecycle events, timers firing and errors (see observer.h); nullptr = none.
  // Not owned.
  LoopObserver* observer = nullptr;
};

class Loop {
 public:
  explicit Loop(LoopOptions options = {});
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  // Closes the loop if needed (see close()).
  ~Loop();

  // The loop running on this thread, or nullptr.
  static Loop* current() noexcept { return current_; }

  // The loop's current time, as the current node's clock reads it (see node.h): what
  // asyncio's loop.time() is to the code running now.
  TimePoint time() const {
    const TimePoint t = global_time();
    return clock_ ? clock_->to_local(t) : t;
  }
  // The one timeline every node's clock reads: what traces and budgets are stamped with.
  TimePoint global_time() const { return driver_clock_ ? *driver_clock_ : driver_->now(); }
  // The current node's wall clock (std::chrono::system_clock): the real one on a real-time
  // driver; under virtual time kVirtualWallEpoch plus the node's time and wall offset.
  std::chrono::system_clock::time_point wall_clock() const;

  // Nodes (see node.h). add_node makes a node named `name` with `clock`; ids are never
  // reused, so a restarted machine is a new node under the same name.
  NodeId add_node(std::string name, NodeClock clock = {});
  // Power loss of `node`: its pending tasks end at once with no CancelledError, their
  // frames destroyed as the dead node; its timers are cancelled and its callbacks never
  // run. Idempotent. Callable from any task or callback, the node's own included (the
  // caller's frame then survives to its next suspension, and never resumes).
  void kill_node(NodeId node);
  bool node_alive(NodeId node) const noexcept {
    return node == kNoNode || (node < nodes_.size() && nodes_[node].alive);
  }
  const std::string& node_name(NodeId node) const;
  const NodeClock& node_clock(NodeId node) const;
  // Changes a node's clock from now on. A changed offset or drift moves its monotonic
  // clock (timers already armed keep their global due time); an NTP step is wall_offset.
  void set_node_clock(NodeId node, NodeClock clock);
  std::size_t node_count() const noexcept { return nodes_.size() - 1; }
  // The node whose task or callback is running (or that a NodeScope entered), or kNoNode.
  NodeId current_node() const noexcept { return current_node_; }
  // Makes `node` current until the scope ends: tasks, callbacks and timers created inside
  // belong to it, and time() reads its clock.
  class NodeScope {
   public:
    NodeScope(Loop& loop, NodeId node) noexcept : loop_(loop), previous_(loop.current_node_) {
      loop.enter_node(node);
    }
    ~NodeScope() { loop_.enter_node(previous_); }
    NodeScope(const NodeScope&) = delete;
    NodeScope& operator=(const NodeScope&) = delete;

   private:
    Loop& loop_;
    NodeId previous_;
  };

  // Schedules fn() to run in a later iteration, after everything already ready (FIFO).
  template <class F>
  Handle call_soon(F&& fn);
  // Schedules fn() to run once `delay` has passed (at once if delay <= 0, after the
  // already-ready callbacks). Timers due together run in (deadline, scheduling order).
  template <class F>
  TimerHandle call_later(Duration delay, F&& fn);
  // Schedules fn() to run at time `when`.
  template <class F>
  TimerHandle call_at(TimePoint when, F&& fn);
  // The same with `when` on the global timeline (global_time()), whatever node is current.
  template <class F>
  TimerHandle call_at_global(TimePoint when, F&& fn);

  // Thread-safe: schedules fn() on this loop from any thread (asyncio's
  // call_soon_threadsafe). Posts are picked up at the start of the next iteration, or
  // wake the loop if it is waiting; posts picked up together enter the ready queue in
  // arrival order (or in the order the decision source picks). Throws std::logic_error
  // ("Event loop is closed") once the loop is closed. Returns no Handle: handles are
  // not thread-safe. Under virtual time a post from a thread the program does not
  // synchronise with lands wherever that thread's speed puts it: use run_in_executor
  // for blocking work that must stay deterministic.
  template <class F>
  void call_soon_threadsafe(F&& fn) {
    inbox_.post(std::make_unique<internal::ExternalFn<std::decay_t<F>>>(std::forward<F>(fn)));
    driver_->wake();
  }

  // A token that tells the loop another thread will post to it: while one exists, a
  // loop with nothing to do waits for a post instead of reporting a deadlock. Copyable;
  // thread-safe; must not outlive the loop.
  class KeepAlive {
   public:
    KeepAlive() = default;
    KeepAlive(const KeepAlive& o) noexcept : loop_(o.loop_) {
      if (loop_) loop_->keep_alives_.fetch_add(1, std::memory_order_relaxed);
    }
    KeepAlive(KeepAlive&& o) noexcept : loop_(std::exchange(o.loop_, nullptr)) {}
    KeepAlive& operator=(KeepAlive o) noexcept {
      std::swap(loop_, o.loop_);
      return *this;
    }
    ~KeepAlive() { reset(); }
    // Gives the token up now.
    void reset() noexcept {
      if (Loop* loop = std::exchange(loop_, nullptr)) {
        loop->keep_alives_.fetch_sub(1, std::memory_order_acq_rel);
        loop->driver_->wake();  // the loop may now be deadlocked: let it look again
      }
    }

   private:
    friend class Loop;
    explicit KeepAlive(Loop* loop) noexcept : loop_(loop) {}
    Loop* loop_ = nullptr;
  };
  KeepAlive keep_alive() noexcept {
    keep_alives_.fetch_add(1, std::memory_order_relaxed);
    return KeepAlive(this);
  }

  // The driver's fd readiness (Driver::io()), or nullptr: a virtual driver has no fds.
  IoReactor* io() const noexcept { return io_; }
  // asyncio's add_reader: fn() is scheduled (call_soon) in every iteration that finds `fd`
  // readable (level-triggered), until remove_reader(fd). Replaces an earlier reader of
  // `fd`. Throws RuntimeError if the driver has no fds, std::system_error if the kernel
  // refuses `fd`. Remove the reader before closing the fd.
  void add_reader(int fd, std::function<void()> fn) {
    add_watch(fd, IoEvent::kReadable, std::move(fn));
  }
  // Returns true iff `fd` had a reader; a call of it already scheduled will not run.
  bool remove_reader(int fd) { return remove_watch(fd, IoEvent::kReadable); }
  // The same for writability (asyncio's add_writer/remove_writer).
  void add_writer(int fd, std::function<void()> fn) {
    add_watch(fd, IoEvent::kWritable, std::move(fn));
  }
  bool remove_writer(int fd) { return remove_watch(fd, IoEvent::kWritable); }

  // The network open_connection/start_server use on this loop (loop/net/network.h), or
  // nullptr if none is installed yet: lockstep::network_of(loop) makes real sockets on
  // first use when the driver has fds; a simulation installs its simulated network.
  Network* network() const noexcept { return network_.get(); }
  // Installs `network` for this loop (replacing any earlier one). close() shuts it down
  // (every connection and listener dropped) before the loop's tasks are destroyed.
  void set_network(std::shared_ptr<Network> network) { network_ = std::move(network); }
  // The file system lockstep::file_system() uses on this loop (loop/fs/file_system.h), or
  // nullptr if none is installed yet: file_system_of(loop) makes a RealFileSystem on first
  // use when the driver has fds; a simulation installs its simulated disks.
  FileSystem* file_system() const noexcept { return file_system_.get(); }
  void set_file_system(std::shared_ptr<FileSystem> fs) { file_system_ = std::move(fs); }

  // The executor run_in_executor uses when given none: a ThreadPoolExecutor made on
  // first use and shut down (joined) by close(), as asyncio.run does.
  Executor& default_executor();
  void set_default_executor(std::shared_ptr<Executor> executor);

  // Creates a task running `coro` on this loop; its first step is scheduled with
  // call_soon. An empty name gets asyncio's default, "Task-<n>".
  template <class T>
  Task<T> create_task(Coro<T> coro, std::string name = {});

  // Creates a pending Future bound to this loop.
  template <class T = void>
  Future<T> create_future(SourceLocation created = SourceLocation::current());

  // Runs until `future` is done and returns its result (or rethrows its exception).
  // A coroutine is wrapped in a task first. Throws DeadlockError if the future can never
  // complete, BudgetExceededError past the step or time budget.
  template <class T>
  T run_until_complete(Future<T> future);
  template <class T>
  T run_until_complete(Coro<T> coro);

  // Runs iterations until stop() is called. Throws DeadlockError when nothing is ready,
  // no timer is pending and no external event can arrive (it would wait forever).
  void run_forever();
  // Makes run_forever() return after the current iteration.
  void stop() noexcept { stopping_ = true; }
  bool is_running() const noexcept { return running_; }

  // Drops every scheduled callback and timer and destroys every task still pending,
  // reporting each as "Task was destroyed but it is pending!". Idempotent; the loop
  // cannot run afterwards.
  void close();
  bool is_closed() const noexcept { return closed_; }

  // Reports an error nobody else can handle: to the handler given in LoopOptions or
  // set_exception_handler, else to stderr. Never throws.
  void call_exception_handler(const ExceptionContext& context) noexcept;
  void set_exception_handler(ExceptionHandler handler) { handler_ = std::move(handler); }

  // The task being stepped, or nullptr between steps.
  internal::TaskBase* current_task() const noexcept { return current_task_; }
  // Pending tasks in creation order.
  std::vector<AnyTask> all_tasks() const;

  // Callbacks and task steps run so far.
  std::uint64_t steps() const noexcept { return steps_; }
  // Starts the step and time budgets afresh from now (e.g. for a shutdown phase).
  void reset_budget() noexcept;
  // One line per pending task: its name and what it awaits. For diagnostics. At most
  // kTasksListed lines, then how many more there are.
  std::string describe_pending_tasks() const;
  // For budget errors: the pending tasks, those that took the most steps first, with
  // their step counts ("the tasks that kept running"); at most kTasksListed of them.
  std::string describe_busy_tasks() const;
  // An error that names a thousand tasks is not read: the first few say what happened.
  static constexpr std::size_t kTasksListed = 20;

  // Internal interface for futures, tasks and timers.
  void push_ready(internal::ReadyNode* node) noexcept {
    ready_.push_back(node);
    ++ready_size_;
  }
  // Adds `node` to the timer heap, which takes a reference.
  void schedule_timer(internal::TimerNode* node);
  void on_timer_cancelled() noexcept { ++timer_cancelled_count_; }
  void register_task(internal::TaskBase* task) noexcept;
  void unregister_task(internal::TaskBase* task) noexcept;
  void set_current_task(internal::TaskBase* task) noexcept { current_task_ = task; }
  std::uint64_t next_task_id() noexcept { return ++task_counter_; }
  std::uint64_t next_unnamed_task_number() noexcept { return ++unnamed_task_counter_; }
  std::uint64_t next_future_id() noexcept { return ++future_counter_; }
  void register_pending_callback(internal::DoneCallbackNode* node) noexcept;
  void unregister_pending_callback(internal::DoneCallbackNode* node) noexcept;
  void on_future_created() noexcept { ++live_futures_; }
  void on_future_destroyed() noexcept { --live_futures_; }
  const DecisionSource::Perturbs& perturbs() const noexcept { return perturbs_; }
  // A task suspended at an await (asked only when perturbs().await_points). `yield_site`:
  // for a bare yield (no `awaited`), the sleep(0) call.
  void on_await_point(internal::TaskBase& task, const internal::FutureBase* awaited,
                      SourceLocation yield_site = {});
  // `task` was just made ready because `awaited` completed (perturbs().wake_points).
  void on_wake_point(internal::TaskBase& task, const internal::FutureBase& awaited);
  // Active timeout() scopes, innermost last: so a decision source can fire the one
  // enclosing an await (AwaitAction::kExpireTimeout).
  void enter_timeout_scope(const internal::TaskBase* task, Timeout* scope) {
    timeout_scopes_.emplace_back(task, scope);
  }
  void exit_timeout_scope(Timeout* scope) noexcept;
  Timeout* innermost_timeout(const internal::TaskBase* task) const noexcept;
  // The error injected at `task`'s current await (AwaitAction::kThrow), taken; or null.
  std::exception_ptr take_injected_error(const internal::TaskBase& task) noexcept;
  // The observer, if any; callers test it before building an event (one branch).
  LoopObserver* observer() const noexcept { return observer_; }
  // Sends an event, stamped with the loop's time, to the observer (which must be set).
  void notify(LoopEvent::Kind kind, std::uint64_t task, std::uint64_t other = 0,
              std::string_view text = {}, bool no_message = false) noexcept;
  // For the observer (which must be set): `task` suspended until `awaited` completes
  // (kTaskSuspended); `task` was made ready because `awaited` completed (kTaskWoken, which
  // works out who did it).
  // `key` is awaited.wait_text_key(), asked by the caller (so that this makes no call but
  // a tail call, and saves no registers, when the text is in its table).
  [[gnu::noinline]] void notify_suspended(internal::TaskBase& task,
                                          const internal::FutureBase& awaited,
                                          internal::WaitTextKey key) noexcept;
  [[gnu::noinline]] void notify_woken(const internal::TaskBase& task,
                                      const internal::FutureBase* awaited) noexcept;
  // notify_woken's usual case, inline where tasks wake (no call): woken by the running
  // task's step, with events batched. Returns false if it is not that case.
  bool notify_woken_by_step(std::uint64_t task, std::uint64_t by) noexcept {
    if (!batch_) return false;
    push_batched(LoopEvent::Kind::kTaskWoken, task, by, 0);
    return true;
  }
  // Who runs a callback outside any task step, for kTaskWoken: set around a callback's
  // run only while an observer is installed. `timer`: a timer's callback, armed by `task`;
  // else a done callback of task `task` (0: of a plain future, or a call_soon callback).
  struct CallbackCause {
    std::uint64_t task = 0;
    bool timer = false;
  };
  CallbackCause exchange_callback_cause(CallbackCause cause) noexcept {
    return std::exchange(callback_cause_, cause);
  }
  DecisionSource* decisions() const noexcept { return decisions_; }
  Driver& driver() const noexcept { return *driver_; }
  // Makes `node` current (NodeScope, and tasks and callbacks as they run).
  void enter_node(NodeId node) noexcept {
    current_node_ = node;
    clock_ = node == kNoNode ? nullptr : nodes_[node].clock_if_not_identity();
  }
  // A killed task stays allocated until close(): handles and waiters may still name it.
  void bury_task(internal::TaskBase* task);
  // Executor jobs (run_in_executor): numbering, decided durations under virtual time,
  // and the loop side of jobs that complete in real time, by job number.
  std::uint64_t next_job_id() noexcept { return ++job_counter_; }
  Duration job_duration(std::uint64_t job) {
    return perturbs_.job_duration ? decisions_->job_duration(job) : Duration::zero();
  }
  std::exception_ptr job_error(std::uint64_t job) {
    return perturbs_.job_errors ? decisions_->job_error(job) : nullptr;
  }
  void await_job_post(std::uint64_t job, std::function<void()> on_post) {
    real_time_jobs_.emplace(job, std::move(on_post));
  }
  void on_job_posted(std::uint64_t job);
  // fd watches (loop/io.cc): add_watch returns an id; remove_watch with an id removes
  // the watch only if it is still that one (a wait that ended must not remove the next).
  std::uint64_t add_watch(int fd, IoEvent event, std::function<void()> fn);
  bool remove_watch(int fd, IoEvent event, std::uint64_t id = 0);
  internal::FdWatch* find_watch(int fd, IoEvent event) const noexcept;

 private:
  struct TimerEntry {
    TimePoint due;              // when the timer fires, including simulated lateness
    std::uint64_t seq;          // scheduling order: ties on `due` fire in this order
    internal::TimerNode* node;  // the heap's reference
  };

  void run_until_done(internal::FutureBase& future);
  // One iteration of asyncio's _run_once, with no decision source asked about its steps
  // (run_forever_perturbed's iterations are these with the steps asked about).
  void run_once() {
    std::size_t ntodo = begin_iteration();
    for (; ntodo > 0; --ntodo) {
      --ready_size_;
      ready_.pop_front()->run();
    }
    end_iteration();
  }
  // An iteration up to its steps: waits for work, moves due timers; the number of steps
  // to run (only what is ready now; the rest runs next iteration).
  std::size_t begin_iteration() {
    if (timer_cancelled_count_ != 0) purge_cancelled_timers();
    if (inbox_.has_posts()) [[unlikely]]
      drain_inbox();
    if (ready_size_ == 0 && !stopping_) {
      wait_for_work();
    } else if (io_ && io_->has_watches()) [[unlikely]] {
      io_->poll();  // asyncio's select(0): busy iterations still see fds (and signals)
    }
    if (!timers_.empty()) move_due_timers();
    const std::size_t ntodo = ready_size_;
    steps_ += ntodo;
    return ntodo;
  }
  void end_iteration() {
    if (max_steps_ && steps_ - budget_base_steps_ > max_steps_) [[unlikely]]
      throw_step_budget_exceeded();
  }
  // run_forever's loop of iterations when the decision source is asked about steps (their
  // order, their cost, after each): one call for the whole run, not one per iteration.
  [[gnu::noinline]] void run_forever_perturbed();
  void schedule_timer_at(internal::TimerNode* node, TimePoint due);
  void wait_for_work();
  void drain_inbox();
  [[noreturn]] void throw_step_budget_exceeded() const;
  // Removes the earliest timer from the heap; returns it (with the heap's reference) if
  // it is live, else releases it and returns nullptr.
  internal::TimerNode* pop_timer();
  void move_due_timers();
  void move_due_group_in_decided_order();
  inline void run_ready_batch_perturbed(std::size_t ntodo);  // loop.cc, its one user
  void purge_cancelled_timers();
  void check_time_budget() {
    if (max_time_ > Duration::zero() && global_time() - budget_base_time_ > max_time_) [[unlikely]]
      throw_time_budget_exceeded();
  }
  [[noreturn]] void throw_time_budget_exceeded() const;
  [[noreturn]] void throw_deadlock() const;

  struct NodeRecord {
    std::string name;
    NodeClock clock;
    bool alive = true;
    const NodeClock* clock_if_not_identity() const noexcept {
      return clock.identity() ? nullptr : &clock;
    }
  };

  VirtualDriver own_driver_;
  Driver* driver_;
  const TimePoint* driver_clock_;                    // driver_->clock_variable(), cached
  IoReactor* io_;                                    // driver_->io(), cached
  std::unique_ptr<internal::FdWatches> fd_watches_;  // add_reader/add_writer; made on first use
  DecisionSource* decisions_;
  LoopObserver* observer_;
  DecisionSource::Perturbs perturbs_;
  bool wants_ready_ids_;
  // after_step() is called after a step that cost nothing (not done by end_step()).
  bool after_free_step_;
  std::uint64_t max_steps_;
  Duration max_time_;
  ExceptionHandler handler_;

  internal::NodeList ready_;
  std::size_t ready_size_ = 0;
  std::vector<TimerEntry> timers_;  // min-heap on (due, seq)
  std::size_t timer_cancelled_count_ = 0;
  std::uint64_t timer_seq_ = 0;
  std::vector<internal::TimerNode*> due_group_;  // scratch of move_due_group_in_decided_order

  internal::TaskBase* current_task_ = nullptr;
  // Nodes by id (a deque: clock_ points into it); [0] stands for kNoNode.
  std::deque<NodeRecord> nodes_{NodeRecord{}};
  NodeId current_node_ = kNoNode;
  const NodeClock* clock_ = nullptr;  // the current node's clock, null if it reads global time
  std::vector<internal::TaskBase*> buried_tasks_;  // killed with their node; one reference each
  CallbackCause callback_cause_;                   // see exchange_callback_cause
  // notify_suspended's text, reused from one suspension to the next.
  std::string wait_text_;
  // notify_suspended's texts of futures with a wait_text_key, by a hash of the key: two
  // ways per set, so that a program sleeping for a thousand different delays keeps them
  // (a text is built at a miss, and a batching observer told it again). Made on first use:
  // only a loop with an observer needs it.
  struct WaitText {
    internal::WaitTextKey key;
    std::string text;
    std::uint64_t id = 0;     // 0: empty; else LoopEvent::text_id, a function of the key
    std::uint8_t victim = 0;  // in a set's first way: which way a miss refills
  };
  static constexpr std::size_t kWaitTextSetBits = 10;
  static constexpr std::size_t kWaitTextWays = 2;
  std::unique_ptr<WaitText[]> wait_texts_;
  static constexpr std::size_t kNoWaitText = ~std::size_t{0};
  // Changes whenever a text in wait_texts_ is replaced: a task's memo of its last text
  // (TaskBase::WaitTextMemo) holds while it is the same. Never 0.
  std::uint64_t wait_text_generation_ = 1;
  // notify_suspended when the task's memo does not have the text: the table.
  [[gnu::noinline]] void notify_suspended_unmemoized(internal::TaskBase& task,
                                                     const internal::FutureBase& awaited,
                                                     internal::WaitTextKey key) noexcept;
  // notify_suspended when the table does not have the text, or events are not batched.
  [[gnu::noinline]] void notify_suspended_slow(const internal::TaskBase& task,
                                               const internal::FutureBase& awaited,
                                               internal::WaitTextKey key, std::uint64_t h) noexcept;
  static std::uint64_t wait_text_hash(internal::WaitTextKey key) noexcept {
    // Every bit of the pointer: keys are often byte-aligned strings.
    std::uint64_t h = reinterpret_cast<std::uintptr_t>(key.p) * 0x9E3779B97F4A7C15ull ^
                      key.n * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 31);
  }
  // "  ... and N more" for the pending tasks past kTasksListed; "" if none.
  static std::string tasks_not_listed(std::size_t pending);
  // A miss: builds the text for `key` (of hash `h`) into its set; its index, or
  // kNoWaitText if it could not be built.
  std::size_t fill_wait_text(const internal::FutureBase& awaited, internal::WaitTextKey key,
                             std::uint64_t h) noexcept;
  // Batching (LoopObserver::event_batch): the observer's batch, or nullptr. Text numbers:
  // 1 is "timer", 2 + i the text of wait_texts_[i].
  EventBatch* batch_ = nullptr;
  static constexpr std::uint32_t kTimerTextNumber = 1;
  // on_batch_full(); an observer that did not make room is no longer batched into.
  [[gnu::noinline]] void take_batch_full() noexcept;
  bool timer_text_given_ = false;
  void push_batched(LoopEvent::Kind kind, std::uint64_t task, std::uint64_t other,
                    std::uint32_t text) noexcept {
    // Field by field: built whole on the stack and copied, it was read back in pieces
    // that straddled the stores writing it (a store-forwarding stall per event). No call
    // but tail calls (the driver's clock is read through its pointer), so that callers
    // save no registers for it.
    if (!driver_clock_) [[unlikely]]
      return push_batched_at_driver_time(kind, task, other, text);
    BatchedEvent* const e = batch_->next;
    e->time = *driver_clock_;
    e->task = task;
    e->other = other;
    e->text = text;
    e->kind = kind;
    if ((batch_->next = e + 1) == batch_->end) [[unlikely]]
      take_batch_full();
  }
  [[gnu::noinline]] void push_batched_at_driver_time(LoopEvent::Kind kind, std::uint64_t task,
                                                     std::uint64_t other,
                                                     std::uint32_t text) noexcept;
  internal::TaskBase* first_task_ = nullptr;  // pending tasks, creation order
  internal::TaskBase* last_task_ = nullptr;
  std::uint64_t task_counter_ = 0;
  std::uint64_t unnamed_task_counter_ = 0;  // asyncio numbers only unnamed tasks: Task-<n>
  std::uint64_t future_counter_ = 0;
  std::size_t live_futures_ = 0;
  internal::DoneCallbackNode* pending_callbacks_ = nullptr;  // registered, not yet scheduled

  internal::Inbox inbox_;                    // call_soon_threadsafe
  std::atomic<std::size_t> keep_alives_{0};  // KeepAlive tokens alive
  std::shared_ptr<Executor> default_executor_;
  std::shared_ptr<Network> network_;
  std::shared_ptr<FileSystem> file_system_;
  std::uint64_t job_counter_ = 0;
  std::map<std::uint64_t, std::function<void()>> real_time_jobs_;  // job -> loop side
  // Errors injected at awaits, until the task resumes (rare: kept out of every task).
  std::map<const internal::TaskBase*, std::exception_ptr> injected_errors_;
  std::vector<std::pair<const internal::TaskBase*, Timeout*>> timeout_scopes_;

  std::uint64_t steps_ = 0;
  std::uint64_t budget_base_steps_ = 0;
  TimePoint budget_base_time_{};
  const internal::FutureBase* awaited_ = nullptr;  // by run_until_complete, for diagnostics
  bool stopping_ = false;
  bool running_ = false;
  bool closed_ = false;

  // Inline with a constant initializer, so reading it needs no TLS init call.
  static inline constinit thread_local Loop* current_ = nullptr;

  friend class internal::DebugView;  // loop/debug.h reads the queues, for a debugger
};

// ---------------------------------------------------------------------------------------
// Implementation of the templates.

template <class F>
Handle Loop::call_soon(F&& fn) {
  using Node = internal::FnNode<internal::CallbackNode, std::decay_t<F>>;
  auto* node = new Node(std::forward<F>(fn), *this, current_node_);
  node->add_ref();  // the ready queue's reference, released when the node runs
  push_ready(node);
  return Handle(internal::Ref<internal::CallbackNode>::adopt(node));
}

template <class F>
TimerHandle Loop::call_at(TimePoint when, F&& fn) {
  using Node = internal::FnNode<internal::TimerNode, std::decay_t<F>>;
  auto* node = new Node(std::forward<F>(fn), *this, current_node_, when);
  schedule_timer(node);
  return TimerHandle(internal::Ref<internal::TimerNode>::adopt(node));
}

template <class F>
TimerHandle Loop::call_at_global(TimePoint when, F&& fn) {
  using Node = internal::FnNode<internal::TimerNode, std::decay_t<F>>;
  auto* node =
      new Node(std::forward<F>(fn), *this, current_node_, clock_ ? clock_->to_local(when) : when);
  schedule_timer_at(node, when);
  return TimerHandle(internal::Ref<internal::TimerNode>::adopt(node));
}

template <class F>
TimerHandle Loop::call_later(Duration delay, F&& fn) {
  return call_at(time() + delay, std::forward<F>(fn));
}

template <class T>
T Loop::run_until_complete(Future<T> future) {
  run_until_done(future.base());
  return future.result();
}

template <class T>
T Loop::run_until_complete(Coro<T> coro) {
  return run_until_complete(Future<T>(create_task(std::move(coro))));
}

}  // namespace lockstep
