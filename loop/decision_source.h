// The one door through which a run's nondeterministic choices enter the loop.
//
//   class MyDecisions : public lockstep::DecisionSource {
//     Perturbs perturbs() const override { return {.step_cost = true}; }
//     lockstep::Duration step_cost(const lockstep::StepInfo&) override { return 1ms; }
//   };
//   MyDecisions d;
//   lockstep::Loop loop({.decisions = &d});
//
// Every point where real asyncio's behaviour can vary between runs asks this interface:
// how much time a step takes (so whether a timer fires between two steps), how late a
// timer fires, the order among timers that come due together, the order in which
// simultaneous external completions enter the ready queue, how long blocking executor
// jobs take, and - only in the opt-in
// any-order mode - which ready callback runs next. With no source installed the loop is
// exactly asyncio: FIFO, zero step cost, timers in (deadline, scheduling order).
//
// loop/ only asks; recording, seeding, replay and shrinking live in sim/ and replay/,
// which implement this interface. The loop reads perturbs() once when the source is
// installed, so a choice the source does not make costs one predictable branch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "loop/clock.h"
#include "loop/source_location.h"

namespace lockstep {

// What a step was, for sources that key decisions on it.
struct StepInfo {
  std::uint64_t task_id = 0;    // the task that stepped, or 0 for a plain callback
  std::uint64_t task_step = 0;  // which of that task's steps (1 = its first); 0 for a callback
};

namespace internal {
class FutureBase;
class TaskBase;
}  // namespace internal

// The structure nearest around a task, the one that waits for it on someone's behalf.
enum class Enclosure : std::uint8_t {
  kNone,       // the task is awaited directly, or not at all
  kGather,     // it is a child of a gather (or of a gather around a shield, ...)
  kShield,     // it runs inside shield(): cancelling the outer leaves it running
  kTaskGroup,  // it is a child of a TaskGroup
};
// "gather", "shield", "TaskGroup"; "" for kNone.
const char* to_string(Enclosure e) noexcept;

// A task that has just suspended at an await (an await of something not yet done, or a
// bare sleep(0)): the points where a cancellation can land on it.
struct AwaitInfo {
  const internal::TaskBase* task = nullptr;
  const internal::FutureBase* awaited = nullptr;  // null: a bare yield
  // A timeout() scope encloses the await: one of the task's own, or else one of the task
  // that awaits it (directly, as wait_for(task, d) does, or through a gather or shield).
  bool in_timeout = false;
  Enclosure enclosure = Enclosure::kNone;  // see Enclosure
  SourceLocation yield_site;               // a bare yield: the sleep(0) call, if known
  std::uint64_t task_id() const noexcept;
  const std::string& task_name() const;
  // Where the await was written, as far as the awaitable knows: the line of the call
  // that made it (sleep(), Queue::get(), Lock::acquire() ...). Empty if unknown (a Task,
  // a gather).
  SourceLocation site() const noexcept;
  // What it awaits, as deadlock reports say it: "sleep until t=1.5s", "Queue.get()",
  // "Task 'worker'", "sleep(0)".
  std::string awaited_what() const;
  // awaited_what() and where: "Queue.get() at worker.cc:42" (just what, if unknown).
  std::string awaited_text() const;
};

// What happens to a task at an await point.
enum class AwaitAction : std::uint8_t {
  kNone,             // nothing: the await proceeds
  kCancel,           // the task is cancelled there, as if another task called cancel() right then
  kThrow,            // the await raises `error` at once (as coro.throw() would); what it awaited
                     // carries on without this task
  kExpireTimeout,    // the innermost timeout() scope around the await expires right now
  kCancelEnclosing,  // the enclosing gather / shield / TaskGroup is cancelled right now:
                     // gather.cancel(), the shield's outer cancelled, the group's task
                     // cancelled (which cancels every child)
};

struct AwaitVerdict {
  AwaitAction action = AwaitAction::kNone;
  std::exception_ptr error;  // kThrow: what the await raises
};

class DecisionSource {
 public:
  // Which of the choices below this source makes; the others keep asyncio's default.
  struct Perturbs {
    bool step_cost = false;         // step_cost()
    bool timer_delay = false;       // timer_delay()
    bool due_timer_order = false;   // pick_due_timer()
    bool completion_order = false;  // pick_completion()
    bool ready_order = false;       // pick_ready(): explores orders asyncio never produces
    bool job_duration = false;      // job_duration()
    bool await_points = false;      // at_await(): cancellation fuzzing
    bool after_step = false;        // after_step(): checks of the program's invariants
    bool job_errors = false;        // job_error(): executor jobs that fail
    bool wake_points = false;       // at_wake(): cancellation fuzzing after a wakeup
    // With step_cost and after_step: end_step() does after_step()'s work itself for a step
    // that cost nothing (one call per step instead of two; a simulation makes both). A
    // source that sets it overrides end_step(): the default one does not do that work.
    bool after_step_in_end_step = false;
  };

  virtual ~DecisionSource() = default;
  virtual Perturbs perturbs() const = 0;

  // Virtual time the step just run consumed. Default: zero.
  virtual Duration step_cost(const StepInfo&) { return Duration::zero(); }

  // What the loop calls after each step when perturbs().step_cost: the step's cost. Where
  // perturbs().after_step_in_end_step, a step that cost nothing has had after_step()'s
  // work done here too (its time did not move, so nothing tells the two orders apart); a
  // step that cost time is charged first, and after_step() called after. Default:
  // step_cost().
  virtual Duration end_step(const StepInfo& step) { return step_cost(step); }

  // Extra lateness of a timer armed to fire after `delay` (an OS never wakes early).
  // Default: zero.
  virtual Duration timer_delay(Duration /*delay*/) { return Duration::zero(); }

  // Among `n` timers that came due with the same deadline, the index of the one to move
  // to the ready queue next. Default: 0, scheduling order.
  virtual std::size_t pick_due_timer(std::size_t /*n*/) { return 0; }

  // Among `n` external completions that arrived together, the index of the one to enter
  // the ready queue next. Default: 0, arrival order.
  virtual std::size_t pick_completion(std::size_t /*n*/) { return 0; }

  // Virtual time executor job number `job` (run_in_executor, numbered from 1 in
  // submission order) takes before its completion enters the loop. Default: zero.
  virtual Duration job_duration(std::uint64_t /*job*/) { return Duration::zero(); }

  // An error executor job number `job` fails with instead of running, or null (asked at
  // submission, on the loop's thread). Default: none.
  virtual std::exception_ptr job_error(std::uint64_t /*job*/) { return nullptr; }

  // Called after every step (after end_step()). May throw to end the run (a violated
  // invariant): the exception leaves run_until_complete. Default: nothing.
  virtual void after_step(const StepInfo&) {}

  // A task suspended at an await: what to do to it. Default: nothing.
  virtual AwaitVerdict at_await(const AwaitInfo&) { return {}; }

  // What the task awaits (`awaited`, never null) just completed and the task is now in
  // the ready queue: true to cancel it right then, before it resumes, as another
  // callback running first could. asyncio then raises CancelledError at the await and
  // the result is lost to the task: how a queue item, a lock hand-off or a reply goes
  // missing on cancel. Default: false.
  virtual bool at_wake(const AwaitInfo&) { return false; }

  // Among the `n` callbacks left in this iteration's batch, the index of the one to run
  // next. Default: 0, FIFO, as asyncio guarantees. Only asked when perturbs().ready_order.
  virtual std::size_t pick_ready(std::size_t /*n*/) { return 0; }
  // The same choice, for sources that need to know what is ready (priority-based
  // schedulers such as PCT): `task_ids[i]` is the task of the i-th callback left in the
  // batch, 0 for a plain callback. Asked instead of pick_ready(n) when wants_ready_ids();
  // gathering the ids costs O(n) per pick.
  virtual bool wants_ready_ids() const { return false; }
  virtual std::size_t pick_ready(const std::vector<std::uint64_t>& task_ids) {
    return pick_ready(task_ids.size());
  }
};

}  // namespace lockstep
