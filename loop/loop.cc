#include "loop/loop.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "loop/executor.h"
#include "loop/internal/fd_watch.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"
#include "loop/net/network.h"
#include "loop/task.h"
#include "loop/timeouts.h"

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

namespace lockstep {

namespace {

// Heap order: the earliest `due` on top; ties by scheduling order.
struct LaterTimer {
  template <class E>
  bool operator()(const E& a, const E& b) const noexcept {
    return a.due != b.due ? a.due > b.due : a.seq > b.seq;
  }
};

// asyncio purges cancelled timers from the heap once they are more than half of it.
constexpr std::size_t kMinTimersForPurge = 100;

std::string demangle(const char* name) {
#if __has_include(<cxxabi.h>)
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                             std::free);
  if (status == 0 && out) return out.get();
#endif
  return name;
}

}  // namespace

void default_exception_handler(Loop&, const ExceptionContext& c) {
  std::string text = "lockstep: " + c.message;
  if (!c.task.empty()) text += "\n  task: " + c.task;
  if (c.exception) text += "\n  exception: " + describe_exception(c.exception);
  std::fprintf(stderr, "%s\n", text.c_str());
}

std::string describe_exception(const std::exception_ptr& e) {
  if (!e) return "(none)";
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError& c) {
    // As Python's traceback prints it: no colon when there is no message.
    return c.message().empty() ? "CancelledError" : "CancelledError: " + c.message();
  } catch (const std::exception& x) {
    const std::string type = demangle(typeid(x).name());
    return *x.what() ? type + ": " + x.what() : type;
  } catch (...) {
#if __has_include(<cxxabi.h>)
    if (const std::type_info* t = abi::__cxa_current_exception_type())
      return demangle(t->name()) + " (not a std::exception)";
#endif
    return "unknown exception";
  }
}

namespace internal {

void CallbackNode::run() {
  if (node_ != loop_->current_node()) [[unlikely]] {
    run_on_node();
    return;
  }
  run_here();
}

void CallbackNode::run_on_node() {
  if (!loop_->node_alive(node_)) {  // its machine lost power: nothing of it runs
    release();
    return;
  }
  Loop::NodeScope scope(*loop_, node_);
  run_here();
}

void CallbackNode::run_here() {
  if (!cancelled_) {
    try {
      if (loop_->observer()) [[unlikely]]
        invoke_observed();
      else
        invoke();
    } catch (...) {
      loop_->call_exception_handler({"Exception in callback", std::current_exception(), ""});
    }
  }
  release();
}

void CallbackNode::invoke_observed() {
  const std::uint64_t armed_by = is_timer_ ? static_cast<TimerNode*>(this)->armed_by_ : 0;
  const Loop::CallbackCause outer = loop_->exchange_callback_cause({armed_by, is_timer_});
  struct Restore {
    Loop* loop;
    Loop::CallbackCause cause;
    ~Restore() { loop->exchange_callback_cause(cause); }
  } restore{loop_, outer};
  invoke();
}

void TimerNode::cancel() noexcept {
  if (in_heap_ && !cancelled()) loop_->on_timer_cancelled();
  CallbackNode::cancel();
}

}  // namespace internal

Loop::Loop(LoopOptions options)
    : driver_(options.driver ? options.driver : &own_driver_),
      driver_clock_(driver_->clock_variable()),
      io_(driver_->io()),
      decisions_(options.decisions),
      observer_(options.observer),
      perturbs_(decisions_ ? decisions_->perturbs() : DecisionSource::Perturbs{}),
      wants_ready_ids_(decisions_ && decisions_->wants_ready_ids()),
      after_free_step_(perturbs_.after_step && !perturbs_.after_step_in_end_step),
      // Budgets stop runaway simulations; a loop on the real clock is a program in
      // production, which may run for as long as it likes.
      max_steps_(driver_->is_virtual() ? options.max_steps : 0),
      max_time_(driver_->is_virtual() ? options.max_time : Duration::zero()),
      handler_(std::move(options.exception_handler)) {
  if (observer_)
    if (EventBatch* b = observer_->event_batch(); b && b->next && b->next < b->end) batch_ = b;
}

Loop::~Loop() {
  close();
  if (live_futures_ != 0) {
    std::fprintf(stderr,
                 "lockstep: fatal: Loop destroyed while %zu Future/Task handles still refer to it; "
                 "a Loop must outlive every Future and Task created on it\n",
                 live_futures_);
    std::abort();
  }
}

// armed_by_ must fit in the padding: a timer node is allocated per sleep.
static_assert(sizeof(internal::TimerNode) <= 64, "TimerNode grew past 64 bytes");

void Loop::schedule_timer(internal::TimerNode* node) {
  schedule_timer_at(node, clock_ ? clock_->to_global(node->when()) : node->when());
}

void Loop::schedule_timer_at(internal::TimerNode* node, TimePoint due) {
  if (!node_alive(current_node_)) [[unlikely]]
    return node->cancel();  // a dead node's destructors arm nothing
  if (perturbs_.timer_delay) [[unlikely]] {
    due += decisions_->timer_delay(due - global_time());
  }
  if (observer_) [[unlikely]] {
    const std::uint64_t task = current_task_ ? current_task_->id() : 0;
    node->armed_by_ = task <= UINT32_MAX ? static_cast<std::uint32_t>(task) : 0;
  }
  node->add_ref();
  node->in_heap_ = true;
  timers_.push_back({due, ++timer_seq_, node});
  std::push_heap(timers_.begin(), timers_.end(), LaterTimer{});
}

void Loop::register_pending_callback(internal::DoneCallbackNode* node) noexcept {
  node->prev_pending_ = nullptr;
  node->next_pending_ = pending_callbacks_;
  if (pending_callbacks_) pending_callbacks_->prev_pending_ = node;
  pending_callbacks_ = node;
}

void Loop::unregister_pending_callback(internal::DoneCallbackNode* node) noexcept {
  (node->prev_pending_ ? node->prev_pending_->next_pending_ : pending_callbacks_) =
      node->next_pending_;
  if (node->next_pending_) node->next_pending_->prev_pending_ = node->prev_pending_;
  node->prev_pending_ = node->next_pending_ = nullptr;
}

void Loop::register_task(internal::TaskBase* task) noexcept {
  task->add_ref();  // the registry's reference, released when the task ends
  task->prev_task_ = last_task_;
  task->next_task_ = nullptr;
  (last_task_ ? last_task_->next_task_ : first_task_) = task;
  last_task_ = task;
  if (observer_) [[unlikely]] {
    LoopEvent e{LoopEvent::Kind::kTaskCreated, global_time(), task->id(),
                current_task_ ? current_task_->id() : 0, task->name()};
    e.node = task->node();
    observer_->on_event(e);
  }
}

NodeId Loop::add_node(std::string name, NodeClock clock) {
  if (clock.drift_ppm <= -1'000'000)
    throw std::invalid_argument("lockstep: add_node: drift_ppm must be above -1000000 (got " +
                                std::to_string(clock.drift_ppm) + ")");
  const NodeId id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(NodeRecord{std::move(name), clock, true});
  if (observer_) [[unlikely]]
    notify(LoopEvent::Kind::kNodeAdded, 0, id, nodes_.back().name);
  return id;
}

const std::string& Loop::node_name(NodeId node) const {
  if (node >= nodes_.size()) throw std::out_of_range("lockstep: no node " + std::to_string(node));
  return nodes_[node].name;
}

const NodeClock& Loop::node_clock(NodeId node) const {
  if (node >= nodes_.size()) throw std::out_of_range("lockstep: no node " + std::to_string(node));
  return nodes_[node].clock;
}

void Loop::set_node_clock(NodeId node, NodeClock clock) {
  if (node == kNoNode || node >= nodes_.size())
    throw std::out_of_range("lockstep: set_node_clock: no node " + std::to_string(node));
  if (clock.drift_ppm <= -1'000'000)
    throw std::invalid_argument("lockstep: set_node_clock: drift_ppm must be above -1000000");
  nodes_[node].clock = clock;
  if (current_node_ == node) enter_node(node);  // clock_ may now be null, or not
}

std::chrono::system_clock::time_point Loop::wall_clock() const {
  const Duration wall_offset = clock_ ? clock_->wall_offset : Duration::zero();
  if (!driver_->is_virtual())
    return std::chrono::system_clock::now() +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(wall_offset);
  return kVirtualWallEpoch + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                 time().time_since_epoch() + wall_offset);
}

void Loop::kill_node(NodeId node) {
  if (node == kNoNode || node >= nodes_.size() || !nodes_[node].alive) return;
  nodes_[node].alive = false;
  if (observer_) [[unlikely]]
    notify(LoopEvent::Kind::kNodeKilled, 0, node, nodes_[node].name);
  // Destructors run as the dead node, so what they try (a send, a timer, a task) is
  // dropped. Newest first, as scopes unwind: a task borrows from the task that created it
  // (a lock, a node object its parent's frame owns), never the other way round. Destroying
  // a frame may create tasks: look again until none is left. The running task, if it is
  // the node's, is buried when its step ends (TaskBase::step_on_node).
  NodeScope scope(*this, node);
  if (network_) network_->node_killed(node);
  for (;;) {
    internal::TaskBase* victim = last_task_;
    while (victim && (victim->node() != node || victim == current_task_))
      victim = victim->prev_task_;
    if (!victim) break;
    bury_task(victim);
  }
  for (TimerEntry& e : timers_)
    if (e.node->node_ == node && !e.node->cancelled()) e.node->cancel();
}

void Loop::bury_task(internal::TaskBase* task) {
  task->add_ref();
  buried_tasks_.push_back(task);
  unregister_task(task);
  task->destroy_pending();
}

void Loop::notify(LoopEvent::Kind kind, std::uint64_t task, std::uint64_t other,
                  std::string_view text, bool no_message) noexcept {
  if (batch_ && kind == LoopEvent::Kind::kTimerFired && text.empty())
    return push_batched(kind, task, other, 0);
  observer_->on_event(LoopEvent{kind, global_time(), task, other, text, no_message});
}

void Loop::take_batch_full() noexcept {
  observer_->on_batch_full();
  if (!batch_->next || batch_->next >= batch_->end) [[unlikely]]
    batch_ = nullptr;  // the observer broke its side: events go one by one from now on
}

void Loop::notify_suspended(internal::TaskBase& task, const internal::FutureBase& awaited,
                            internal::WaitTextKey key) noexcept {
  // Kept short (the rest is notify_suspended_slow): most suspensions wait on the same
  // few kinds of thing, whose text was built for an earlier one and is in the table;
  // and a task mostly waits on what it waited on last (its memo of that spares hashing
  // the key and looking in the table).
  // The memo's case makes no call but a tail call, so that it saves no registers.
  const internal::TaskBase::WaitTextMemo& memo = task.wait_text_memo_;
  if (memo.generation == wait_text_generation_ && memo.key == key && batch_) [[likely]]
    return push_batched(LoopEvent::Kind::kTaskSuspended, task.id(), 0, memo.number);
  notify_suspended_unmemoized(task, awaited, key);
}

void Loop::notify_suspended_unmemoized(internal::TaskBase& task,
                                       const internal::FutureBase& awaited,
                                       internal::WaitTextKey key) noexcept {
  internal::TaskBase::WaitTextMemo& memo = task.wait_text_memo_;
  const std::uint64_t h = key.p ? wait_text_hash(key) : 0;
  if (key.p && wait_texts_ && batch_) [[likely]] {
    const auto set = static_cast<std::size_t>(h >> (64 - kWaitTextSetBits));
    WaitText* const ways = &wait_texts_[set * kWaitTextWays];
    std::size_t way = 2;
    if (ways[0].id != 0 && ways[0].key == key)
      way = 0;
    else if (ways[1].id != 0 && ways[1].key == key)
      way = 1;
    if (way != 2) {
      ways[0].victim = static_cast<std::uint8_t>(1 - way);
      const auto number = static_cast<std::uint32_t>(2 + set * kWaitTextWays + way);
      memo = {key, number, wait_text_generation_};
      return push_batched(LoopEvent::Kind::kTaskSuspended, task.id(), 0, number);
    }
  }
  notify_suspended_slow(task, awaited, key, h);
}

void Loop::push_batched_at_driver_time(LoopEvent::Kind kind, std::uint64_t task,
                                       std::uint64_t other, std::uint32_t text) noexcept {
  BatchedEvent* const e = batch_->next;
  e->time = driver_->now();
  e->task = task;
  e->other = other;
  e->text = text;
  e->kind = kind;
  if ((batch_->next = e + 1) == batch_->end) [[unlikely]]
    take_batch_full();
}

void Loop::notify_suspended_slow(const internal::TaskBase& task,
                                 const internal::FutureBase& awaited, internal::WaitTextKey key,
                                 std::uint64_t h) noexcept {
  if (key.p) {
    std::size_t i = kNoWaitText;
    if (wait_texts_) {
      const auto set = static_cast<std::size_t>(h >> (64 - kWaitTextSetBits));
      WaitText* const ways = &wait_texts_[set * kWaitTextWays];
      if (ways[0].id != 0 && ways[0].key == key) {
        i = set * kWaitTextWays;
        ways[0].victim = 1;
      } else if (ways[1].id != 0 && ways[1].key == key) {
        i = set * kWaitTextWays + 1;
        ways[0].victim = 0;
      }
    }
    if (i == kNoWaitText) i = fill_wait_text(awaited, key, h);
    if (i != kNoWaitText) [[likely]] {
      const WaitText& slot = wait_texts_[i];
      if (batch_)
        push_batched(LoopEvent::Kind::kTaskSuspended, task.id(), 0,
                     static_cast<std::uint32_t>(2 + i));
      else
        observer_->on_wait_event(LoopEvent::Kind::kTaskSuspended, global_time(), task.id(), 0,
                                 slot.text, slot.id);
      return;
    }
  } else {
    try {
      wait_text_.clear();  // reused: no allocation per suspension once it is big enough
      awaited.append_wait_text(wait_text_);
      observer_->on_wait_event(LoopEvent::Kind::kTaskSuspended, global_time(), task.id(), 0,
                               wait_text_, 0);
      return;
    } catch (...) {
    }
  }
  // The text could not be made (no memory): the event goes without it.
  observer_->on_wait_event(LoopEvent::Kind::kTaskSuspended, global_time(), task.id(), 0, {}, 0);
}

std::size_t Loop::fill_wait_text(const internal::FutureBase& awaited, internal::WaitTextKey key,
                                 std::uint64_t h) noexcept {
  const auto set = static_cast<std::size_t>(h >> (64 - kWaitTextSetBits));
  try {
    if (!wait_texts_)
      wait_texts_ =
          std::make_unique<WaitText[]>((std::size_t{1} << kWaitTextSetBits) * kWaitTextWays);
    WaitText* ways = &wait_texts_[set * kWaitTextWays];
    const std::size_t way = ways[0].id == 0 ? 0 : ways[1].id == 0 ? 1 : ways[0].victim;
    ways[0].victim = static_cast<std::uint8_t>(1 - way);
    WaitText& slot = ways[way];
    if (slot.id != 0) ++wait_text_generation_;  // a text replaced: memos of it are void
    slot.id = 0;                                // until its text is whole
    slot.text.clear();
    awaited.append_wait_text(slot.text);
    slot.key = key;
    // A function of the key, as the text is (equal keys, equal texts): an observer that
    // saw the text under this id before finds it again, even after this table forgot it.
    // Never 0. Two keys may share an id (rarely): the trace writer compares the text too.
    slot.id = (h * 0xD6E8FEB86659FD93ull) | 1;
    const std::size_t i = set * kWaitTextWays + way;
    if (batch_) observer_->on_batch_text(static_cast<std::uint32_t>(2 + i), slot.text);
    return i;
  } catch (...) {  // append_wait_text could not allocate
    return kNoWaitText;
  }
}

void Loop::notify_woken(const internal::TaskBase& task,
                        const internal::FutureBase* awaited) noexcept {
  // The task whose step completed the future; else, outside any step, the awaited task
  // that just ended, or what the running callback stands for.
  std::uint64_t by = callback_cause_.task;
  bool by_timer = false;
  if (current_task_) {
    by = current_task_->id();
  } else if (awaited && awaited->is_task()) {
    by = static_cast<const internal::TaskBase*>(awaited)->id();
  } else {
    by_timer = callback_cause_.timer;
  }
  if (batch_) {
    if (by_timer && !timer_text_given_) {
      observer_->on_batch_text(kTimerTextNumber, "timer");
      timer_text_given_ = true;
    }
    return push_batched(LoopEvent::Kind::kTaskWoken, task.id(), by,
                        by_timer ? kTimerTextNumber : 0);
  }
  // Identified like a wait text, so a recorder need not look "timer" up every time.
  constexpr std::uint64_t kTimerTextId = 2;  // even: no wait text's id (those are odd)
  observer_->on_wait_event(LoopEvent::Kind::kTaskWoken, global_time(), task.id(), by,
                           by_timer ? "timer" : "", by_timer ? kTimerTextId : 0);
}

void Loop::unregister_task(internal::TaskBase* task) noexcept {
  (task->prev_task_ ? task->prev_task_->next_task_ : first_task_) = task->next_task_;
  (task->next_task_ ? task->next_task_->prev_task_ : last_task_) = task->prev_task_;
  task->prev_task_ = task->next_task_ = nullptr;
  task->release();
}

std::vector<AnyTask> Loop::all_tasks() const {
  std::vector<AnyTask> out;
  for (internal::TaskBase* t = first_task_; t; t = t->next_task_) out.emplace_back(t);
  return out;
}

void Loop::call_exception_handler(const ExceptionContext& context) noexcept {
  if (observer_) [[unlikely]] {
    std::string text = context.message;
    if (context.exception) text += ": " + describe_exception(context.exception);
    notify(LoopEvent::Kind::kError, context.task_id, 0, text);
  }
  try {
    if (handler_)
      handler_(*this, context);
    else
      default_exception_handler(*this, context);
  } catch (...) {
    // asyncio: an exception in the handler is logged, never propagated.
    std::fprintf(stderr, "lockstep: the exception handler threw while handling: %s\n",
                 context.message.c_str());
  }
}

// Inline in run_forever_perturbed, its one caller: a call per batch of one step, as a
// ping-pong's are, cost a tenth of a simulated step.
[[gnu::always_inline]] inline void Loop::run_ready_batch_perturbed(std::size_t ntodo) {
  for (; ntodo > 0; --ntodo) {
    std::size_t i = 0;
    if (perturbs_.ready_order && ntodo > 1) {
      if (wants_ready_ids_) {
        std::vector<std::uint64_t> ids;
        ids.reserve(ntodo);
        internal::ReadyNode* n = ready_.front();
        for (std::size_t k = 0; k < ntodo; ++k, n = ready_.next(n)) {
          ids.push_back(n->task_id());
        }
        i = decisions_->pick_ready(ids);
      } else {
        i = decisions_->pick_ready(ntodo);
      }
      if (i >= ntodo) i = 0;
    }
    internal::ReadyNode* node = ready_.take(i);
    --ready_size_;
    const internal::ReadyNode::StepNumber number = node->number_step();
    const StepInfo info{number.task_id, number.ordinal};
    node->run();  // may destroy the task: use only `info` below
    if (perturbs_.step_cost) {
      // Most steps cost nothing: then time did not move and the budget needs no check.
      if (const Duration cost = decisions_->end_step(info); cost != Duration::zero()) {
        driver_->charge(cost);
        check_time_budget();
        if (perturbs_.after_step) decisions_->after_step(info);
      } else if (after_free_step_) {
        decisions_->after_step(info);
      }
    } else if (perturbs_.after_step) {
      decisions_->after_step(info);
    }
  }
}

void Loop::run_forever() {
  if (closed_) throw RuntimeError("lockstep: Event loop is closed");
  if (running_) throw RuntimeError("lockstep: This event loop is already running");
  if (current_)
    throw RuntimeError("lockstep: Cannot run the event loop while another loop is running");
  running_ = true;
  current_ = this;
  struct Restore {
    Loop* loop;
    ~Restore() {
      loop->running_ = false;
      loop->stopping_ = false;
      current_ = nullptr;
    }
  } restore{this};
  if (perturbs_.ready_order || perturbs_.step_cost || perturbs_.after_step) [[unlikely]]
    return run_forever_perturbed();
  for (;;) {
    run_once();
    if (stopping_) break;
  }
}

void Loop::run_forever_perturbed() {
  for (;;) {
    run_ready_batch_perturbed(begin_iteration());
    end_iteration();
    if (stopping_) break;
  }
}

void Loop::run_until_done(internal::FutureBase& future) {
  // asyncio: the future's done callback stops the loop, so run_forever returns after
  // the iteration in which that callback ran.
  struct StopLoop {
    Loop* loop;
    void operator()(internal::FutureBase&) const { loop->stop(); }
  };
  const std::uint64_t stopper = internal::add_done_callback(future, StopLoop{this});
  awaited_ = &future;
  try {
    run_forever();
  } catch (...) {
    awaited_ = nullptr;
    future.remove_done_callback(stopper);
    throw;
  }
  awaited_ = nullptr;
  future.remove_done_callback(stopper);
  if (!future.done()) throw RuntimeError("lockstep: Event loop stopped before Future completed.");
}

void Loop::wait_for_work() {
  std::optional<TimePoint> deadline;
  if (!timers_.empty()) deadline = timers_.front().due;
  const bool external_expected =
      keep_alives_.load(std::memory_order_acquire) > 0 || !real_time_jobs_.empty();
  if (!driver_->wait(deadline, external_expected)) throw_deadlock();
  if (inbox_.has_posts()) drain_inbox();
  check_time_budget();  // time moves only here, or by a step's charged cost
}

void Loop::drain_inbox() {
  std::vector<std::unique_ptr<internal::ExternalCall>> calls = inbox_.take_all();
  struct Invoke {
    std::unique_ptr<internal::ExternalCall> call;
    void operator()() { call->invoke(); }
  };
  if (!perturbs_.completion_order) {
    for (auto& call : calls) call_soon(Invoke{std::move(call)});
    return;
  }
  // Posts picked up together are simultaneous completions: their order is a decision.
  while (!calls.empty()) {
    std::size_t i = 0;
    if (calls.size() > 1) {
      i = decisions_->pick_completion(calls.size());
      if (i >= calls.size()) i = 0;
    }
    call_soon(Invoke{std::move(calls[i])});
    calls.erase(calls.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void Loop::on_job_posted(std::uint64_t job) {
  auto it = real_time_jobs_.find(job);
  if (it == real_time_jobs_.end()) return;
  std::function<void()> on_post = std::move(it->second);
  real_time_jobs_.erase(it);
  on_post();
}

Executor& Loop::default_executor() {
  if (closed_) throw RuntimeError("lockstep: Event loop is closed");
  if (!default_executor_) default_executor_ = std::make_shared<ThreadPoolExecutor>();
  return *default_executor_;
}

void Loop::set_default_executor(std::shared_ptr<Executor> executor) {
  default_executor_ = std::move(executor);
}

void Loop::purge_cancelled_timers() {
  if (timers_.size() > kMinTimersForPurge && timer_cancelled_count_ * 2 > timers_.size()) {
    auto keep = std::partition(timers_.begin(), timers_.end(),
                               [](const TimerEntry& e) { return !e.node->cancelled(); });
    for (auto it = keep; it != timers_.end(); ++it) {
      it->node->in_heap_ = false;
      it->node->release();
    }
    timers_.erase(keep, timers_.end());
    std::make_heap(timers_.begin(), timers_.end(), LaterTimer{});
    timer_cancelled_count_ = 0;
    return;
  }
  while (!timers_.empty() && timers_.front().node->cancelled()) pop_timer();
}

internal::TimerNode* Loop::pop_timer() {
  std::pop_heap(timers_.begin(), timers_.end(), LaterTimer{});
  internal::TimerNode* node = timers_.back().node;
  timers_.pop_back();
  node->in_heap_ = false;
  if (!node->cancelled()) return node;
  --timer_cancelled_count_;
  node->release();
  return nullptr;
}

void Loop::move_due_timers() {
  const TimePoint now = global_time();
  while (!timers_.empty() && timers_.front().due <= now) {
    if (perturbs_.due_timer_order) [[unlikely]] {
      move_due_group_in_decided_order();
      continue;
    }
    if (internal::TimerNode* node = pop_timer()) {
      if (observer_) [[unlikely]]
        notify(LoopEvent::Kind::kTimerFired, node->armed_by_);
      push_ready(node);  // the heap's reference passes to the queue
    }
  }
}

void Loop::move_due_group_in_decided_order() {
  // Every timer sharing the earliest due time, in (due, seq) order...
  std::vector<internal::TimerNode*>& group = due_group_;  // reused: no allocation per group
  group.clear();
  const TimePoint due = timers_.front().due;
  while (!timers_.empty() && timers_.front().due == due) {
    if (internal::TimerNode* node = pop_timer()) group.push_back(node);
  }
  // ...enters the ready queue in the order the decision source picks.
  while (!group.empty()) {
    std::size_t i = group.size() == 1 ? 0 : decisions_->pick_due_timer(group.size());
    if (i >= group.size()) i = 0;
    if (observer_) [[unlikely]]
      notify(LoopEvent::Kind::kTimerFired, group[i]->armed_by_);
    push_ready(group[i]);
    group.erase(group.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void Loop::throw_step_budget_exceeded() const {
  throw BudgetExceededError(
      "run exceeded its budget of " + std::to_string(max_steps_) +
      " steps (a livelock or an endless loop?) at t=" + std::to_string(to_seconds(global_time())) +
      "s; raise LoopOptions::max_steps if the run is meant to be this "
      "long\n" +
      describe_busy_tasks());
}

void Loop::throw_time_budget_exceeded() const {
  throw BudgetExceededError(
      "run exceeded its virtual-time budget of " + std::to_string(to_seconds(max_time_)) +
      "s at t=" + std::to_string(to_seconds(global_time())) +
      "s (an endless retry or polling loop?); raise LoopOptions::max_time if the run is "
      "meant to be this long\n" +
      describe_busy_tasks());
}

std::string Loop::describe_busy_tasks() const {
  std::vector<const internal::TaskBase*> tasks;
  for (internal::TaskBase* t = first_task_; t; t = t->next_task_) tasks.push_back(t);
  if (tasks.empty()) return "no pending tasks\n";
  // Most steps first; creation order among equals (stable), so the report is the same
  // in every run.
  std::stable_sort(tasks.begin(), tasks.end(), [](const auto* a, const auto* b) {
    return a->steps_taken() > b->steps_taken();
  });
  std::string s = "the pending tasks, those that kept running first:\n";
  std::size_t listed = 0;
  for (const internal::TaskBase* t : tasks) {
    if (++listed > kTasksListed) break;
    s += "  " + t->describe() + " (" + std::to_string(t->steps_taken()) + " steps)";
    if (const internal::FutureBase* w = t->waiting_on())
      s += " awaits " + w->diagnose();
    else
      s += " is ready to run";
    s += '\n';
  }
  return s + tasks_not_listed(tasks.size());
}

std::string Loop::tasks_not_listed(std::size_t pending) {
  if (pending <= kTasksListed) return "";
  return "  ... and " + std::to_string(pending - kTasksListed) + " more\n";
}

void Loop::reset_budget() noexcept {
  budget_base_steps_ = steps_;
  budget_base_time_ = global_time();
}

std::string Loop::describe_pending_tasks() const {
  std::string s;
  std::size_t n = 0;
  for (internal::TaskBase* t = first_task_; t; t = t->next_task_) {
    if (++n > kTasksListed) continue;  // counted, not listed
    s += "  " + t->describe();
    if (const internal::FutureBase* w = t->waiting_on())
      s += " awaits " + w->diagnose();
    else
      s += " is ready to run";
    s += '\n';
  }
  return n ? "pending tasks (" + std::to_string(n) + "):\n" + s + tasks_not_listed(n)
           : "no pending tasks\n";
}

void Loop::throw_deadlock() const {
  std::string what = "deadlock at t=" + std::to_string(to_seconds(global_time())) +
                     "s: nothing is ready, no timer is pending and no external event can arrive";
  if (awaited_) what += "; the run waits for " + awaited_->describe() + " forever";
  throw DeadlockError(what + "\n" + describe_pending_tasks());
}

void Loop::close() {
  if (closed_) return;
  if (running_) throw RuntimeError("lockstep: Cannot close a running event loop");
  // asyncio.run: shut down the default executor, waiting for its jobs; then refuse posts
  // from other threads and drop those never picked up.
  if (default_executor_) default_executor_->shutdown(true);
  inbox_.close();
  real_time_jobs_.clear();
  // The network's connections and listeners go first: each holds fd watches, and a
  // connection's transport and protocol keep each other alive until it is lost.
  if (network_) network_->shutdown();
  // Watches go first: their callbacks may hold futures, and the fds must not be reported
  // to a closed loop.
  if (fd_watches_) {
    for (auto& [key, watch] : fd_watches_->by_fd) io_->unwatch(key.first, key.second);
    fd_watches_->by_fd.clear();
  }
  // Destroying a task's coroutine runs destructors that may schedule more; repeat until
  // nothing is left.
  for (;;) {
    while (!ready_.empty()) ready_.pop_front()->drop();
    ready_size_ = 0;
    // Callbacks still waiting on futures may hold references leading back to those
    // futures; discarding them breaks such cycles (Python's garbage collector would).
    while (pending_callbacks_) pending_callbacks_->discard();
    for (TimerEntry& e : timers_) {
      e.node->in_heap_ = false;
      e.node->release();
    }
    timers_.clear();
    timer_cancelled_count_ = 0;
    if (!first_task_) break;
    // Reported in creation order, destroyed newest first (see kill_node: children borrow
    // from their parents' frames). A task a destructor creates is handled next round.
    std::vector<internal::TaskBase*> pending;
    for (internal::TaskBase* t = first_task_; t; t = t->next_task_) pending.push_back(t);
    for (internal::TaskBase* task : pending)
      // A task a dead node created as it went down never started: nothing to report.
      if (node_alive(task->node()))
        call_exception_handler(
            {"Task was destroyed but it is pending!", nullptr, task->name(), task->id()});
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      (*it)->destroy_pending();
      unregister_task(*it);
    }
  }
  // Tasks killed with their nodes, last: a task destroyed above may have awaited one.
  for (internal::TaskBase* task : std::exchange(buried_tasks_, {})) task->release();
  closed_ = true;
}

AnyTask current_task() {
  Loop* loop = Loop::current();
  return loop && loop->current_task() ? AnyTask(loop->current_task()) : AnyTask();
}

std::vector<AnyTask> all_tasks() {
  Loop* loop = Loop::current();
  return loop ? loop->all_tasks() : std::vector<AnyTask>{};
}

TimePoint now() {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: now() needs a running loop (Loop::time() otherwise)");
  return loop->time();
}

}  // namespace lockstep
