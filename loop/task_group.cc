// TaskGroup, following CPython 3.11.7's asyncio/taskgroups.py step by step.
#include "loop/task_group.h"

#include <stdexcept>

namespace lockstep {

namespace internal {

std::string TaskGroupCore::repr() const {
  std::string info;
  if (!tasks_.empty()) info += " tasks=" + std::to_string(tasks_.size());
  if (!errors_.empty()) info += " errors=" + std::to_string(errors_.size());
  if (aborting_)
    info += " cancelling";
  else if (entered_)
    info += " entered";
  return "<TaskGroup" + info + ">";
}

void TaskGroupCore::enter() {
  if (entered_) throw RuntimeError("lockstep: TaskGroup " + repr() + " has already been entered");
  Loop* loop = Loop::current();
  AnyTask parent = current_task();
  if (!loop || !parent)
    throw RuntimeError("lockstep: TaskGroup " + repr() + " cannot determine the parent task");
  loop_ = loop;
  parent_ = std::move(parent);
  entered_ = true;
}

void TaskGroupCore::check_can_create_task() const {
  if (!entered_) throw RuntimeError("lockstep: TaskGroup " + repr() + " has not been entered");
  if (exiting_ && tasks_.empty())
    throw RuntimeError("lockstep: TaskGroup " + repr() + " is finished");
  if (aborting_) throw RuntimeError("lockstep: TaskGroup " + repr() + " is shutting down");
}

void TaskGroupCore::track(AnyTask task) {
  const std::uint64_t id = task.id();
  Ref<TaskGroupCore> self(this);
  // The callback stands for the group (Enclosing::kTaskGroup): cancellation fuzzing can
  // cancel the group's task from an await inside a child.
  const CallbackId callback = add_done_callback(
      *task.base(), [self = std::move(self), id](FutureBase&) { self->on_task_done(id); },
      Enclosing{Enclosing::Kind::kTaskGroup, parent_.base()});
  tasks_.emplace(id, Child{std::move(task), callback});
}

void TaskGroupCore::abort() {
  aborting_ = true;
  for (auto& [id, child] : tasks_)
    if (!child.task.done()) child.task.cancel();
}

void TaskGroupCore::on_task_done(std::uint64_t id) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  AnyTask task = std::move(it->second.task);
  tasks_.erase(it);

  if (on_completed_ && tasks_.empty() && !on_completed_->done()) on_completed_->set_result();

  if (task.cancelled()) return;
  std::exception_ptr error = task.base()->exception();  // marks it retrieved
  if (!error) return;
  errors_.push_back(error);

  if (parent_.done()) {
    loop_->call_exception_handler({"Task " + task.get_name() +
                                       " has errored out but its parent task " +
                                       parent_.get_name() + " is already completed",
                                   error, task.get_name(), task.id()});
    return;
  }
  if (!aborting_ && !parent_cancel_requested_) {
    // Cancel the body too, wherever it awaits; exit() withdraws this request again so
    // that the code after the group runs normally.
    abort();
    parent_cancel_requested_ = true;
    parent_.cancel();
  }
}

Coro<void> TaskGroupCore::exit(std::exception_ptr escaping, bool escaping_is_cancel) {
  Ref<TaskGroupCore> keep(this);  // the caller's TaskGroup may go before we are done
  exiting_ = true;

  std::exception_ptr propagate_cancellation = escaping_is_cancel ? escaping : nullptr;
  // The body raised, or its task is being cancelled: stop the children.
  if (escaping && !aborting_) abort();

  // The wait can be cancelled repeatedly (the parent cancelled again and again, or once
  // while the group's own cancellation is in progress): hence the loop.
  std::exception_ptr pending_cancellation;
  while (!tasks_.empty()) {
    if (!on_completed_) on_completed_.emplace(loop_->create_future<void>());
    std::exception_ptr cancelled;
    try {
      co_await *on_completed_;
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    if (cancelled) {
      pending_cancellation = cancelled;
      if (!aborting_) {
        // The parent task is cancelled from outside while the children still run.
        propagate_cancellation = cancelled;
        abort();
      }
    }
    on_completed_.reset();
  }

  if (parent_cancel_requested_) {
    // The group cancelled its parent: withdraw that request. Only if no other request
    // is pending is the CancelledError the group's own, not to be propagated. Done after
    // the wait, not before (as 3.11 does): a child failing while the group waits would
    // otherwise leave the task with a stale request, and a later timeout() in it would
    // take its own expiry for an outside cancellation (fixed in CPython 3.13).
    if (parent_.uncancel() == 0)
      propagate_cancellation = nullptr;
    else if (!propagate_cancellation)
      propagate_cancellation = pending_cancellation;  // not ours: keep it
  }

  // A CancelledError propagates unless children failed: their errors take precedence.
  if (propagate_cancellation && errors_.empty()) std::rethrow_exception(propagate_cancellation);
  if (escaping && !escaping_is_cancel) errors_.push_back(escaping);
  if (!errors_.empty()) {
    std::vector<std::exception_ptr> errors = std::move(errors_);
    errors_.clear();
    throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors));
  }
}

}  // namespace internal
}  // namespace lockstep
