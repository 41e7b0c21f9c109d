// The loop's inbox for calls posted from other threads (call_soon_threadsafe): a mutex-
// guarded list the loop drains at the start of each iteration and after each wait.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "loop/errors.h"

namespace lockstep::internal {

// A call posted from another thread. Made and destroyed with plain new/delete: the
// loop's pools are per thread.
class ExternalCall {
 public:
  virtual ~ExternalCall() = default;
  virtual void invoke() = 0;
};

template <class F>
class ExternalFn final : public ExternalCall {
 public:
  explicit ExternalFn(F fn) : fn_(std::move(fn)) {}
  void invoke() override { fn_(); }

 private:
  F fn_;
};

class Inbox {
 public:
  // Thread-safe. Throws RuntimeError("lockstep: Event loop is closed") after close().
  void post(std::unique_ptr<ExternalCall> call) {
    std::lock_guard lock(mutex_);
    if (closed_) throw RuntimeError("lockstep: Event loop is closed");
    calls_.push_back(std::move(call));
    has_posts_.store(true, std::memory_order_release);
  }
  // One atomic load: the loop asks on every iteration.
  bool has_posts() const noexcept { return has_posts_.load(std::memory_order_acquire); }
  // Everything posted so far, in arrival order.
  std::vector<std::unique_ptr<ExternalCall>> take_all() {
    std::lock_guard lock(mutex_);
    has_posts_.store(false, std::memory_order_relaxed);
    return std::exchange(calls_, {});
  }
  // Refuses further posts; returns what was never drained, for the caller to destroy.
  std::vector<std::unique_ptr<ExternalCall>> close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    has_posts_.store(false, std::memory_order_relaxed);
    return std::exchange(calls_, {});
  }

 private:
  std::atomic<bool> has_posts_{false};
  std::mutex mutex_;
  std::vector<std::unique_ptr<ExternalCall>> calls_;
  bool closed_ = false;
};

}  // namespace lockstep::internal
