// The loop's clock: nanosecond ticks, usable with std::chrono.
//
//   using namespace std::chrono_literals;
//   lockstep::TimePoint deadline = loop.time() + 250ms;
//   lockstep::Duration left = deadline - loop.time();
//   double s = lockstep::to_seconds(loop.time());   // like asyncio's loop.time()
//
// Under simulation the loop's time is virtual: it starts at 0 and moves only when nothing
// is ready (jumping to the next timer) or when a step is charged a cost. A real-time
// driver maps the same clock onto std::chrono::steady_clock. Either way the scheduling
// core only ever compares and adds these values.
#pragma once

#include <chrono>
#include <cstdint>

namespace lockstep {

struct LoopClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<LoopClock>;
  static constexpr bool is_steady = true;
};

using Duration = LoopClock::duration;
using TimePoint = LoopClock::time_point;

// Seconds since the loop's epoch, as asyncio's loop.time() reports them.
inline double to_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace lockstep
