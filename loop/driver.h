// What time it is, and how the loop waits when nothing is ready: the one narrow interface
// between the scheduling core and the world.
//
//   lockstep::VirtualDriver virtual_time;             // the default: simulated time
//   lockstep::Loop loop({.driver = &virtual_time});
//
// The scheduling core (ready queue, timers, tasks, cancellation) never reads a clock or
// blocks by itself; it asks its Driver. VirtualDriver jumps time straight to the next
// deadline. A real-time driver (steady_clock, epoll, an eventfd for call_soon_threadsafe)
// implements the same interface so the same program runs in production.
#pragma once

#include <optional>

#include "loop/clock.h"

namespace lockstep {

class Driver {
 public:
  virtual ~Driver() = default;

  // The loop's current time.
  virtual TimePoint now() const = 0;

  // Called when nothing is ready: returns once `deadline` has passed (nullopt: no timer
  // pending) or an external event may have arrived. Returns false iff no event can ever
  // arrive and there is no deadline, i.e. waiting would block forever.
  virtual bool wait(std::optional<TimePoint> deadline) = 0;

  // A step was charged `cost` of time by the decision source. A virtual driver moves its
  // clock; a real one ignores it, since real time passes by itself.
  virtual void charge(Duration cost) = 0;
};

// Virtual time: starts at 0, moves only by wait() to a deadline and by charge().
// Never sleeps.
class VirtualDriver final : public Driver {
 public:
  TimePoint now() const override { return now_; }
  bool wait(std::optional<TimePoint> deadline) override {
    if (!deadline) return false;
    if (*deadline > now_) now_ = *deadline;
    return true;
  }
  void charge(Duration cost) override { now_ += cost; }

 private:
  TimePoint now_{};
};

}  // namespace lockstep
