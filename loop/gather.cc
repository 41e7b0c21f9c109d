#include "loop/gather.h"

#include <stdexcept>

namespace lockstep::internal {

Loop& gather_loop(const std::vector<Ref<FutureBase>>& children) {
  if (!children.empty()) return children.front()->loop();
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: gather() of nothing needs a running loop");
  return *loop;
}

bool GatheringBase::cancel(std::optional<std::string> msg) {
  if (done()) return false;
  bool any = false;
  for (auto& child : children_)
    if (child->cancel(msg)) any = true;
  // asyncio (bpo-32684): propagate the cancellation whatever return_exceptions says.
  if (any) cancel_requested_ = true;
  return any;
}

std::string GatheringBase::describe() const {
  return "a gather of " + std::to_string(children_.size()) + " awaitables";
}

void GatheringBase::start(std::vector<Ref<FutureBase>> children) {
  // One pass registers a waiter on each distinct child (marking it), one clears the
  // marks: with a million children each pass over them is a cache miss per child.
  children_ = std::move(children);
  waiters_.reserve(children_.size());  // never reallocated: the children link to these
  for (const auto& c : children_) {
    if (c->mark_) continue;  // a duplicate: awaited once
    c->mark_ = true;
    GatherChildWaiter& w = waiters_.emplace_back();
    w.owner_ = this;
    w.child_ = c.get();
    if (c->done())
      w.on_future_done(loop(), *c);  // asyncio: add_done_callback on a done future
    else
      c->add_waiter(&w);
  }
  for (const auto& c : children_) c->mark_ = false;
  if (children_.empty()) {  // asyncio: gather() of nothing is done at once
    store_results();
    mark_finished();
  }
}

GatheringBase::~GatheringBase() {
  // Waiters still registered on pending children must not outlive us. (A scheduled one
  // holds a reference, so none is in the ready queue now.) A gather that is done already
  // would only have marked their exceptions retrieved (on_child_done): asyncio's
  // _done_callback outlives the caller's reference, so a child failing later is quiet.
  if (nfinished_ == waiters_.size()) return;
  for (GatherChildWaiter& w : waiters_) {
    if (w.child_->done()) continue;
    w.child_->remove_waiter(&w);
    if (done()) w.child_->retrieve_failure_in_advance();
  }
}

void GatherChildWaiter::on_future_done(Loop& loop, FutureBase&) {
  owner_->add_ref();
  loop.push_ready(this);
}

Enclosing GatherChildWaiter::enclosing() const noexcept {
  return {Enclosing::Kind::kGather, owner_};
}

void GatherChildWaiter::run() {
  GatheringBase* owner = owner_;
  try {
    if (Loop& loop = owner->loop(); loop.observer()) [[unlikely]] {
      // The task awaiting the gather is woken by the child whose end completed it.
      const std::uint64_t child =
          child_->is_task() ? static_cast<const TaskBase*>(child_)->id() : 0;
      const Loop::CallbackCause outer = loop.exchange_callback_cause({child, false});
      try {
        owner->on_child_done(*child_);
      } catch (...) {
        loop.exchange_callback_cause(outer);
        throw;
      }
      loop.exchange_callback_cause(outer);
    } else {
      owner->on_child_done(*child_);
    }
  } catch (...) {
    owner->loop().call_exception_handler({"Exception in callback", std::current_exception(), ""});
  }
  owner->release();  // may destroy the gather, and this node with it
}

void GatherChildWaiter::drop() noexcept { owner_->release(); }

void GatheringBase::on_child_done(FutureBase& child) {
  ++nfinished_;
  if (done()) {
    // The gather already failed: mark this child's exception retrieved.
    if (!child.cancelled()) child.exception();
    return;
  }
  if (!return_exceptions_) {
    if (child.cancelled() || child.state() == State::kFailed) {
      set_exception(child.take_error());  // the first error wins; siblings keep running
      return;
    }
  }
  if (nfinished_ != waiters_.size()) return;
  // asyncio builds the results first either way, which marks every child's exception
  // as retrieved.
  store_results();
  if (cancel_requested_) {
    // asyncio uses the last child in argument order here (its loop variable).
    FutureBase& last = *children_.back();
    set_exception(last.cancelled() ? last.take_error()
                                   : std::make_exception_ptr(last.cancelled_error()));
    return;
  }
  mark_finished();
}

}  // namespace lockstep::internal
