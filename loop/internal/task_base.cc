#include "loop/internal/task_base.h"

#include <cassert>

#include "loop/errors.h"
#include "loop/loop.h"

namespace lockstep::internal {

void throw_coro_misuse(CoroMisuse what) {
  const Loop* loop = Loop::current();
  const TaskBase* task = loop ? loop->current_task() : nullptr;
  const std::string where = task ? "in " + task->describe() : std::string("outside any task");
  if (what == CoroMisuse::kEmpty)
    throw RuntimeError("lockstep: awaiting an empty Coro (moved-from or default-constructed), " +
                       where);
  throw RuntimeError("lockstep: cannot reuse already awaited coroutine (" + where +
                     "): a Coro runs once, awaited or given to create_task, not both");
}

TaskBase::TaskBase(Loop& loop, std::coroutine_handle<> root, std::string name,
                   TaskNumbering numbering)
    : FutureBase(loop, /*is_task=*/true), root_(root), resume_(root), id_(loop.next_task_id()) {
  if (name.empty() || numbering == TaskNumbering::kAlways)
    unnamed_number_ = static_cast<std::uint32_t>(loop.next_unnamed_task_number());
  if (!name.empty()) name_ = std::make_unique<std::string>(std::move(name));
  loop.register_task(this);
}

TaskBase::~TaskBase() {
  // A task of a node that lost power (or destroyed as one does) reports nothing: the
  // node never got to retrieve it.
  if (log_traceback_ && loop_->node_alive(node_) && loop_->node_alive(loop_->current_node())) {
    log_traceback_ = false;
    loop_->call_exception_handler(
        {"Task exception was never retrieved", exception_, name(), id_, /*unretrieved=*/true});
  }
  if (root_) root_.destroy();
}

const std::string& TaskBase::name() const {
  if (!name_) name_ = std::make_unique<std::string>("Task-" + std::to_string(unnamed_number_));
  return *name_;
}

void TaskBase::set_name(std::string name) {
  name_ = std::make_unique<std::string>(std::move(name));
  if (loop_->observer()) [[unlikely]]
    loop_->notify(LoopEvent::Kind::kTaskRenamed, id_, 0, *name_);
}

bool TaskBase::cancel(std::optional<std::string> msg) {
  log_traceback_ = false;
  if (done()) return false;
  ++num_cancels_requested_;
  if (loop_->observer()) [[unlikely]] {
    const TaskBase* by = loop_->current_task();
    loop_->notify(LoopEvent::Kind::kCancelRequested, id_, by ? by->id() : 0,
                  msg ? std::string_view(*msg) : std::string_view(), !msg);
  }
  // Forward to what the task awaits (a future, a sleep, another task); its completion
  // wakes this task with CancelledError. asyncio keeps _fut_waiter set afterwards: the
  // awaited task may ignore the request and need cancelling again.
  if (fut_waiter_ && fut_waiter_->cancel(msg)) {
    cancel_forwarded_ = true;
    return true;
  }
  // Otherwise the next step is already scheduled: raise at the point where it resumes.
  must_cancel_ = true;
  set_cancel_message(std::move(msg));
  return true;
}

int TaskBase::uncancel() noexcept {
  if (num_cancels_requested_ > 0) --num_cancels_requested_;
  return static_cast<int>(num_cancels_requested_);
}

std::string TaskBase::describe() const { return "Task '" + name() + "'"; }

void TaskBase::append_wait_text(std::string& out) const {
  out += "Task '";
  out += name();
  out += '\'';
}

void TaskBase::forward_cancel_request() {
  if (fut_waiter_->cancel(cancel_message_if_any())) {
    must_cancel_ = false;
    cancel_forwarded_ = true;
  }
}

void TaskBase::wake_to_raise(FutureBase* awaited) noexcept {
  throw_cancel_ = true;  // the resume path that raises; deliver_cancel_request finds the error
  if (awaited) {         // a bare yield is already scheduled
    awaited->remove_waiter(this);
    fut_waiter_ = nullptr;
    loop_->push_ready(this);
    if (loop_->observer()) [[unlikely]]
      loop_->notify_woken(*this, nullptr);
  }
}

void TaskBase::deliver_cancel_request(FutureBase* awaited) {
  throw_cancel_ = false;
  if (std::exception_ptr injected = loop_->take_injected_error(*this)) [[unlikely]]
    std::rethrow_exception(std::move(injected));
  // asyncio: Task.__wakeup first retrieves the awaited future's result (future.result(),
  // which also marks an exception as retrieved) and passes what it raised to __step;
  // __step, finding _must_cancel set, throws that exception into the coroutine if it is
  // a CancelledError (e.g. a future cancelled by an earlier cancel(), with that cancel's
  // message), and only otherwise a new CancelledError with this task's message.
  if (awaited) {
    try {
      awaited->check_result();
    } catch (...) {
      if (handling_cancelled_error()) throw;
    }
  }
  throw cancelled_error();
}

void TaskBase::step() {
  // The hot path of every scheduling step: kept free of the cold paths below, so it
  // needs no stack frame of its own beyond a few registers.
  assert(!done() && "a finished task was scheduled");
  fut_waiter_ = nullptr;
  if (must_cancel_) [[unlikely]] {
    if (!prepare_cancel_delivery()) return;
  }
  if (!started_) [[unlikely]]
    on_first_step();
  Loop& loop = *loop_;
  ++steps_taken_;
  loop.set_current_task(this);
  resume_.resume();
  loop.set_current_task(nullptr);
  if (root_.done()) finish();
}

void TaskBase::step_on_node() {
  Loop& loop = *loop_;
  if (!loop.node_alive(node_)) return;  // killed with its node (Loop::bury_task keeps it)
  Loop::NodeScope scope(loop, node_);
  Ref<TaskBase> keep(this);  // the step may end the task: look at it afterwards
  step();
  // Its own node was killed during this step: the frame could not be destroyed while it
  // ran; now that it has suspended, it never resumes.
  if (!loop.node_alive(node_) && root_) [[unlikely]]
    loop.bury_task(this);
}

void TaskBase::on_first_step() noexcept {
  started_ = true;
  if (loop_->observer()) [[unlikely]]
    loop_->notify(LoopEvent::Kind::kTaskStarted, id_);
}

bool TaskBase::prepare_cancel_delivery() {
  must_cancel_ = false;
  if (!started_) {
    // Throwing into a coroutine that never started raises at once: the body never runs.
    cancel_with_error(std::make_exception_ptr(cancelled_error()));
    end_of_life();
    return false;
  }
  throw_cancel_ = true;
  return true;
}

void TaskBase::finish() {
  PromiseBase& p = root_promise();
  if (p.has_exception_) {
    if (p.exception_is_cancel_) {
      cancel_with_error(root_failure());
    } else {
      exception_ = root_failure();
      log_traceback_ = !failure_retrieved_in_advance_;
      complete(State::kFailed);
    }
  } else if (must_cancel_) {
    // cancel() arrived during the step in which the coroutine returned.
    must_cancel_ = false;
    FutureBase::cancel(cancel_message_if_any());
  } else {
    take_result();
    complete(State::kFinished);
  }
  end_of_life();
}

void TaskBase::end_of_life() {
  throw_cancel_ = false;
  if (loop_->observer()) [[unlikely]]
    report_end();
  std::exchange(root_, nullptr).destroy();
  loop_->unregister_task(this);  // may delete this: nothing after
}

void TaskBase::report_end() noexcept {
  switch (state()) {
    case State::kFinished:
      loop_->notify(LoopEvent::Kind::kTaskFinished, id_);
      break;
    case State::kFailed:
      loop_->notify(LoopEvent::Kind::kTaskFailed, id_, 0, describe_exception(exception_));
      break;
    default: {
      // A task cancelled by its own CancelledError keeps that error, message and all.
      std::optional<std::string> message = cancel_message_if_any();
      if (!message && exception_) {
        try {
          std::rethrow_exception(exception_);
        } catch (const CancelledError& e) {
          if (e.has_message()) message = e.message();
        } catch (...) {
        }
      }
      loop_->notify(LoopEvent::Kind::kTaskCancelled, id_, 0, message ? *message : "", !message);
    }
  }
}

void TaskBase::destroy_pending() noexcept {
  if (fut_waiter_) fut_waiter_->remove_waiter(this);  // it must never wake a dead task
  fut_waiter_ = nullptr;
  if (root_) std::exchange(root_, nullptr).destroy();
}

}  // namespace lockstep::internal
