// Handles returned by Loop::call_soon / call_later / call_at: cancel a scheduled callback.
//
//   lockstep::TimerHandle h = loop.call_later(5s, [] { std::puts("too late"); });
//   h.cancel();                 // the callback will not run
//   assert(h.cancelled());
//
// As in asyncio, a callback that throws does not stop the loop: the exception goes to the
// loop's exception handler ("Exception in callback").
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "loop/clock.h"
#include "loop/internal/ready_queue.h"
#include "loop/internal/ref_counted.h"
#include "loop/node.h"

namespace lockstep {

class Loop;

namespace internal {

// A scheduled callback: in the ready queue, or in the timer heap for a TimerNode.
class CallbackNode : public RefCounted, public ReadyNode {
 public:
  // `node`: the node it belongs to (Loop::current_node() when it was scheduled).
  CallbackNode(Loop& loop, NodeId node) : loop_(&loop), node_(node) {}

  // Prevents the callback from running; frees what it captured. Idempotent.
  virtual void cancel() noexcept {
    cancelled_ = true;
    discard();
  }
  bool cancelled() const noexcept { return cancelled_; }

  void run() final;
  void drop() noexcept final { release(); }

 protected:
  virtual void invoke() = 0;          // runs the callback
  virtual void discard() noexcept {}  // destroys the callable early (after cancel)
  Loop* loop_;
  bool is_timer_ = false;  // a TimerNode: for the observer, who woke what it completes

 private:
  friend class ::lockstep::Loop;
  void run_here();
  [[gnu::noinline]] void run_on_node();      // run() of a node's callback: switch, or drop
  [[gnu::noinline]] void invoke_observed();  // invoke() with the loop's callback cause set
  bool cancelled_ = false;
  NodeId node_;
};

// A callback due at a point in time; lives in the loop's timer heap until due.
class TimerNode : public CallbackNode {
 public:
  // `when` on the clock of `node`.
  TimerNode(Loop& loop, NodeId node, TimePoint when) : CallbackNode(loop, node), when_(when) {
    is_timer_ = true;
  }
  void cancel() noexcept override;
  TimePoint when() const noexcept { return when_; }

 private:
  friend class ::lockstep::Loop;
  TimePoint when_;
  bool in_heap_ = false;  // counted in the loop's cancelled-timer tally when cancelled
  // The task that armed the timer, for a LoopObserver (set only when one is installed;
  // 0: none, or an id past 2^32). 32 bits fit beside in_heap_ without growing the node.
  std::uint32_t armed_by_ = 0;
  friend class CallbackNode;
};

// The callable F stored inline: one allocation per scheduled callback.
template <class Base, class F>
class FnNode final : public Base {
 public:
  template <class... A>
  FnNode(F fn, A&&... base_args) : Base(std::forward<A>(base_args)...), fn_(std::move(fn)) {}

 private:
  void invoke() override { (*fn_)(); }
  void discard() noexcept override { fn_.reset(); }
  std::optional<F> fn_;
};

}  // namespace internal

// A callback scheduled with call_soon. Empty when default-constructed.
class Handle {
 public:
  Handle() = default;
  explicit Handle(internal::Ref<internal::CallbackNode> node) : node_(std::move(node)) {}

  // Prevents the callback from running, if it has not run yet.
  void cancel() noexcept {
    if (node_) node_->cancel();
  }
  // True iff cancel() was called.
  bool cancelled() const noexcept { return node_ && node_->cancelled(); }
  explicit operator bool() const noexcept { return bool(node_); }

 protected:
  internal::Ref<internal::CallbackNode> node_;
};

// A callback scheduled with call_later / call_at.
class TimerHandle : public Handle {
 public:
  TimerHandle() = default;
  explicit TimerHandle(internal::Ref<internal::TimerNode> node)
      : Handle(internal::Ref<internal::CallbackNode>(std::move(node))) {}

  // When the callback is scheduled to run (before any simulated lateness).
  TimePoint when() const noexcept { return static_cast<internal::TimerNode*>(node_.get())->when(); }
};

}  // namespace lockstep
