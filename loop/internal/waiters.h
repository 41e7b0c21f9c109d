// The machinery shared by locks.h and queues.h: binding a primitive to a loop, and FIFO
// lists of waiter futures (asyncio's `collections.deque` of futures).
#pragma once

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <string>

#include "loop/future.h"
#include "loop/internal/future_base.h"
#include "loop/loop.h"

namespace lockstep::internal {

// asyncio mixins._LoopBoundMixin: a primitive may be constructed anywhere, and is bound
// to the running loop the first time it has to create a waiter. Using it later from
// another loop is an error.
class LoopBound {
 public:
  // The loop to create waiters on. Throws std::logic_error with no running loop, or if
  // the primitive is bound to another loop. `what` names the primitive in the message.
  Loop& get_loop(const char* what) {
    Loop* running = Loop::current();
    if (!running) throw RuntimeError(std::string("lockstep: ") + what + " needs a running loop");
    if (!loop_) loop_ = running;
    if (running != loop_)
      throw RuntimeError(std::string("lockstep: ") + what + " is bound to a different event loop");
    return *loop_;
  }

 private:
  Loop* loop_ = nullptr;  // bound at the first wait; never owned
};

// A synchronization primitive that can say which one it is and in what state, for the
// deadlock report of a task waiting on it.
class Diagnosable {
 public:
  // "the Lock created at pool.cc:12, held by Task 'a'".
  virtual std::string diagnosis() const = 0;

 protected:
  // Virtual although protected: clang's -Wnon-virtual-dtor asks it of every primitive
  // (they have a virtual function through this base), and the primitives already carry a
  // vtable, so it costs nothing.
  virtual ~Diagnosable() = default;
};

// A waiter: a plain Future<void> whose deadlock report names what is waited for and
// where, e.g. "Task 'consumer' awaits Queue.get() at consumer.cc:42" rather than a source
// location inside this file, and which primitive it is and its state.
class WaiterFuture final : public FutureBase {
 public:
  WaiterFuture(Loop& loop, const char* what, const Diagnosable* owner, SourceLocation where)
      : FutureBase(loop), what_(what), owner_(owner), where_(where) {}
  void* result_slot() noexcept override { return nullptr; }
  std::string describe() const override { return what_; }
  void append_wait_text(std::string& out) const override { out += what_; }
  TextKey wait_text_key() const noexcept override { return {what_, 0}; }
  std::string diagnose() const override {
    return what_ + where_.at_suffix() + (owner_ ? " of " + owner_->diagnosis() : std::string());
  }
  SourceLocation await_site() const noexcept override { return where_; }

 private:
  const char* what_;          // a string literal, e.g. "Lock.acquire()"
  const Diagnosable* owner_;  // the primitive (which outlives its waiters), or null
  SourceLocation where_;      // the user's call (get(), acquire() ...): the co_await's line
};

inline Future<void> make_waiter(Loop& loop, const char* what, const Diagnosable* owner = nullptr,
                                SourceLocation where = {}) {
  return Future<void>(Ref<FutureBase>::adopt(new WaiterFuture(loop, what, owner, where)));
}

using Waiters = std::deque<Future<void>>;

// Removes `fut` from `waiters` if it is there (the queues' waiters may have been popped
// already by the wakeup; the locks' never are).
inline void remove_waiter(Waiters& waiters, const Future<void>& fut) noexcept {
  auto it = std::find(waiters.begin(), waiters.end(), fut);
  if (it != waiters.end()) waiters.erase(it);
}

// Appends a waiter on construction and removes it on destruction: asyncio's
//   waiters.append(fut)
//   try: await fut
//   finally: waiters.remove(fut)
// Declared inside a `try` block, it is destroyed before any handler of that `try` runs,
// exactly as the `finally` runs before the `except` around it. Being a destructor, it
// also runs when the coroutine frame is destroyed while suspended (Loop::close), so no
// primitive is left holding a future of a dead loop.
class WaiterEntry {
 public:
  WaiterEntry(Waiters& waiters, const Future<void>& fut) : waiters_(waiters), fut_(fut) {
    waiters_.push_back(fut);
  }
  WaiterEntry(const WaiterEntry&) = delete;
  WaiterEntry& operator=(const WaiterEntry&) = delete;
  ~WaiterEntry() { remove_waiter(waiters_, fut_); }

 private:
  Waiters& waiters_;
  const Future<void>& fut_;  // the awaiting coroutine's own handle, which outlives this
};

}  // namespace lockstep::internal
