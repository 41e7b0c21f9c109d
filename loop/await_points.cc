// What a decision source may do to a task at one of its awaits (DecisionSource::at_await):
// cancel it, raise an error there, expire the timeout() around it, or cancel the gather,
// shield or TaskGroup it runs in. Only reached when perturbs().await_points.
#include <string>

#include "loop/decision_source.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"
#include "loop/loop.h"
#include "loop/timeouts.h"

namespace lockstep {

namespace {

// How far up a chain of structures (a gather in a shield in a gather ...) to look for the
// task that awaits them: far enough for real programs, bounded for pathological ones.
constexpr int kMaxEnclosingDepth = 16;

Enclosure public_kind(internal::Enclosing::Kind k) noexcept {
  switch (k) {
    case internal::Enclosing::Kind::kGather:
      return Enclosure::kGather;
    case internal::Enclosing::Kind::kShield:
      return Enclosure::kShield;
    case internal::Enclosing::Kind::kTaskGroup:
      return Enclosure::kTaskGroup;
    default:
      return Enclosure::kNone;
  }
}

// Runs `f` as if no task were running: an injected cancel is nobody's request.
template <class F>
void as_the_loop(internal::TaskBase*& current_task, F f) {
  internal::TaskBase* current = std::exchange(current_task, nullptr);
  f();
  current_task = current;
}

struct AwaitSurroundings {
  Timeout* timeout = nullptr;
  internal::Enclosing enclosure;
};

// The structure nearest around `task` (the first waiter on it that is a gather, shield or
// TaskGroup) and the innermost timeout() scope around its current await: its own, or
// else one of the task found waiting at the top of the chain of structures.
AwaitSurroundings surroundings(const Loop& loop, const internal::TaskBase& task) noexcept {
  AwaitSurroundings s;
  s.timeout = loop.innermost_timeout(&task);
  const internal::FutureBase* f = &task;
  for (int depth = 0; depth < kMaxEnclosingDepth; ++depth) {
    const internal::Enclosing e = f->enclosing_waiter();
    using Kind = internal::Enclosing::Kind;
    if (!e) break;
    if (e.kind != Kind::kAwaitingTask && !s.enclosure) s.enclosure = e;
    if (e.kind == Kind::kAwaitingTask || e.kind == Kind::kTaskGroup) {
      // A task waits here (for a TaskGroup, the task running the group): its scopes
      // enclose the await too.
      if (!s.timeout)
        s.timeout = loop.innermost_timeout(static_cast<internal::TaskBase*>(e.future));
      break;
    }
    f = e.future;  // a gather or a shield's outer: who waits for it?
  }
  return s;
}

}  // namespace

const char* to_string(Enclosure e) noexcept {
  switch (e) {
    case Enclosure::kGather:
      return "gather";
    case Enclosure::kShield:
      return "shield";
    case Enclosure::kTaskGroup:
      return "TaskGroup";
    case Enclosure::kNone:
      break;
  }
  return "";
}

void Loop::on_await_point(internal::TaskBase& task, const internal::FutureBase* awaited,
                          SourceLocation yield_site) {
  const AwaitSurroundings around = surroundings(*this, task);
  const AwaitInfo info{&task, awaited, around.timeout != nullptr,
                       public_kind(around.enclosure.kind), yield_site};
  AwaitVerdict verdict = decisions_->at_await(info);
  if (verdict.action == AwaitAction::kNone) return;
  const std::string what = info.awaited_text();
  std::string done;  // for the observer: what happened
  switch (verdict.action) {
    case AwaitAction::kNone:
      return;
    case AwaitAction::kExpireTimeout:
      if (!around.timeout) return;
      as_the_loop(current_task_, [&] { around.timeout->expire_now(); });
      done = "timeout expired";
      break;
    case AwaitAction::kThrow:
      if (!verdict.error) return;
      injected_errors_[&task] = std::move(verdict.error);
      task.wake_to_raise(const_cast<internal::FutureBase*>(awaited));
      done = "error raised";
      break;
    case AwaitAction::kCancel:
      // As if another task cancelled it right now: no task is "current" for the request.
      as_the_loop(current_task_,
                  [&] { task.cancel("lockstep: cancellation injected at an await of " + what); });
      done = "cancel";
      break;
    case AwaitAction::kCancelEnclosing: {
      if (!around.enclosure) return;
      const char* name = to_string(public_kind(around.enclosure.kind));
      const std::string message = std::string("lockstep: cancellation of the enclosing ") + name +
                                  " injected at an await of " + what + " in " + task.describe();
      // A gather cancels its children; a shield's outer is cancelled (its inner runs on);
      // a TaskGroup's task is cancelled, and the group cancels its children.
      as_the_loop(current_task_, [&] { around.enclosure.future->cancel(message); });
      done = std::string(name) + " cancelled";
      break;
    }
  }
  if (observer_) [[unlikely]]
    notify(LoopEvent::Kind::kInjected, task.id(), static_cast<std::uint64_t>(verdict.action),
           done + " at an await of " + what);
}

void Loop::on_wake_point(internal::TaskBase& task, const internal::FutureBase& awaited) {
  // Woken by its own cancellation (the awaited future cancelled): nothing to race with.
  if (awaited.cancelled() || task.done()) return;
  AwaitInfo info;
  info.task = &task;
  info.awaited = &awaited;
  if (!decisions_->at_wake(info)) return;
  const std::string what = info.awaited_text();
  as_the_loop(current_task_, [&] {
    task.cancel("lockstep: cancellation injected after " + what +
                " completed, before the task resumed");
  });
  if (observer_) [[unlikely]]
    notify(LoopEvent::Kind::kInjected, task.id(), static_cast<std::uint64_t>(AwaitAction::kCancel),
           "cancel after the wakeup at an await of " + what);
}

void Loop::exit_timeout_scope(Timeout* scope) noexcept {
  for (auto it = timeout_scopes_.rbegin(); it != timeout_scopes_.rend(); ++it)
    if (it->second == scope) {
      timeout_scopes_.erase(std::next(it).base());
      return;
    }
}

Timeout* Loop::innermost_timeout(const internal::TaskBase* task) const noexcept {
  for (auto it = timeout_scopes_.rbegin(); it != timeout_scopes_.rend(); ++it)
    if (it->first == task) return it->second;
  return nullptr;
}

std::exception_ptr Loop::take_injected_error(const internal::TaskBase& task) noexcept {
  auto it = injected_errors_.find(&task);
  if (it == injected_errors_.end()) return nullptr;
  std::exception_ptr e = std::move(it->second);
  injected_errors_.erase(it);
  return e;
}

std::uint64_t AwaitInfo::task_id() const noexcept { return task->id(); }
const std::string& AwaitInfo::task_name() const { return task->name(); }
SourceLocation AwaitInfo::site() const noexcept {
  return awaited ? awaited->await_site() : yield_site;
}
std::string AwaitInfo::awaited_what() const {
  return awaited ? awaited->describe() : std::string("sleep(0)");
}
std::string AwaitInfo::awaited_text() const { return awaited_what() + site().at_suffix(); }

}  // namespace lockstep
