#include "loop/gather.h"

#include <stdexcept>

namespace lockstep::internal {

Loop& gather_loop(const std::vector<Ref<FutureBase>>& children) {
  if (!children.empty()) return children.front()->loop();
  Loop* loop = Loop::current();
  if (!loop) throw std::logic_error("lockstep: gather() of nothing needs a running loop");
  return *loop;
}

bool GatheringBase::cancel(std::string msg) {
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

void GatheringBase::add_child(Ref<FutureBase> child) {
  FutureBase* raw = child.get();
  children_.push_back(std::move(child));
  if (!seen_.first_time(raw)) return;
  ++nfuts_;
  // The callback holds the gather alive until the child is done.
  add_done_callback(*raw, [self = Ref<GatheringBase>(this)](FutureBase& done_child) {
    self->on_child_done(done_child);
  });
}

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
  if (nfinished_ != nfuts_) return;
  // asyncio builds the results first either way, which marks every child's exception
  // as retrieved.
  store_results();
  if (cancel_requested_) {
    // asyncio uses the last child in argument order here (its loop variable).
    FutureBase& last = *children_.back();
    set_exception(last.cancelled() ? last.take_error()
                                   : std::make_exception_ptr(CancelledError(last.cancel_message())));
    return;
  }
  mark_finished();
}

}  // namespace lockstep::internal
