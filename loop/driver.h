// What time it is, and how the loop waits when nothing is ready: the one narrow interface
// between the scheduling core and the world.
//
//   lockstep::VirtualDriver virtual_time;             // the default: simulated time
//   lockstep::Loop loop({.driver = &virtual_time});
//
//   lockstep::EpollDriver real;                       // the same program in real time,
//   lockstep::Loop production({.driver = &real});     // with fds (loop/epoll_driver.h)
//
// The scheduling core (ready queue, timers, tasks, cancellation) never reads a clock or
// blocks by itself; it asks its Driver. VirtualDriver jumps time straight to the next
// deadline. EpollDriver maps the loop's clock onto std::chrono::steady_clock, really
// sleeps (in epoll_wait) and reports fd readiness through io().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "loop/clock.h"
#include "loop/io_reactor.h"

namespace lockstep {

namespace internal {

// "Something was posted": set by wake() from any thread, consumed by the loop's wait.
// Set under the mutex so a waiter between its check and its sleep cannot miss it; read
// without it on the fast path (a virtual loop checks it every time it idles).
class WakeSignal {
 public:
  void notify() noexcept {
    {
      std::lock_guard lock(mutex_);
      posted_.store(true, std::memory_order_release);
    }
    cv_.notify_one();
  }
  // True (and cleared) iff a notify() arrived since the last consume or wait.
  bool consume() noexcept {
    if (!posted_.load(std::memory_order_acquire)) return false;
    posted_.store(false, std::memory_order_relaxed);
    return true;
  }
  // Blocks until a notify(), or until `deadline` if given; then clears the signal.
  void wait(std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
    std::unique_lock lock(mutex_);
    auto posted = [this] { return posted_.load(std::memory_order_acquire); };
    if (deadline)
      cv_.wait_until(lock, *deadline, posted);
    else
      cv_.wait(lock, posted);
    posted_.store(false, std::memory_order_relaxed);
  }

 private:
  std::atomic<bool> posted_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace internal

class Driver {
 public:
  virtual ~Driver() = default;

  // The loop's current time.
  virtual TimePoint now() const = 0;

  // Called when nothing is ready: returns once `deadline` has passed (nullopt: no timer
  // pending) or wake() was called. `external_expected`: another thread has announced
  // that it will post to the loop (see Loop::keep_alive). Returns false iff there is no
  // deadline and nothing external is expected, i.e. waiting would block forever.
  virtual bool wait(std::optional<TimePoint> deadline, bool external_expected) = 0;

  // A step was charged `cost` of time by the decision source. A virtual driver moves its
  // clock; a real one ignores it, since real time passes by itself.
  virtual void charge(Duration cost) = 0;

  // Thread-safe: something was posted to the loop (call_soon_threadsafe); a wait() in
  // progress returns, and the next one returns at once.
  virtual void wake() noexcept = 0;

  // True iff time is simulated. Blocking work then completes at a decided instant of
  // virtual time, never when a thread happens to finish (see run_in_executor).
  virtual bool is_virtual() const noexcept = 0;

  // The driver's fd readiness, or nullptr if it has none (a virtual driver: simulated
  // I/O comes through the simulated network instead).
  virtual IoReactor* io() noexcept { return nullptr; }

  // The clock now() reads, if it is a plain variable the loop may read directly (a
  // virtual driver's); nullptr if now() must be called. The loop reads the time at every
  // recorded event, and a virtual call there was a tenth of recording a ping-pong.
  virtual const TimePoint* clock_variable() const noexcept { return nullptr; }
};

// Virtual time: starts at 0, moves only by wait() to a deadline and by charge().
// Never sleeps for a deadline; blocks only when nothing but another thread can make
// progress (no timer pending and an external post is expected).
class VirtualDriver final : public Driver {
 public:
  TimePoint now() const override { return now_; }
  bool wait(std::optional<TimePoint> deadline, bool external_expected) override;
  void charge(Duration cost) override { now_ += cost; }
  void wake() noexcept override { posted_.notify(); }
  bool is_virtual() const noexcept override { return true; }
  const TimePoint* clock_variable() const noexcept override { return &now_; }

 private:
  TimePoint now_{};
  internal::WakeSignal posted_;
};

}  // namespace lockstep
