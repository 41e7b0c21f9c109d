// Nodes: groups of tasks on one loop that live and die together, each with its own clock.
//
// What a simulated world is made of (sim/world/ builds machines, disks and a network on
// top); a program in production never sees one. loop/ only knows that a node has a name,
// a clock, and can be killed.
//
//   lockstep::NodeId n1 = loop.add_node("n1", {.offset = 3s, .drift_ppm = 200});
//   {
//     lockstep::Loop::NodeScope on(loop, n1);
//     lockstep::create_task(server());      // a task of n1, and everything it starts
//   }
//   ... later, from a task of the test:
//   loop.kill_node(n1);                     // power loss: n1's tasks end at once
//
// What belongs to a node: every task created while the node is current (a task's
// children inherit its node), and every callback, timer and done callback scheduled then.
// While a task or callback of a node runs, that node is current: `now()` and timers read
// its clock. kill_node() is a power loss: the node's tasks end without a CancelledError
// (no catch or finally runs), their coroutine frames are destroyed, and whatever the
// destructors do is done as the dead node: callbacks and timers of a dead node never run,
// tasks it creates never start. A restart is a new node (a new NodeId) under the same name.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "loop/clock.h"

namespace lockstep {

// A node of a loop: 1, 2, ... in order of add_node; 0 is no node (the program itself).
using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0;

// How a node's clock reads the loop's one timeline: local = offset + global * (1 + drift),
// with drift in parts per million (+100: 100 us fast per second). Timers of the node wait
// for its local clock, so they stay ordered and consistent on the node while two nodes'
// now() differ. Monotonic: the wall clock (wall_clock()) is the one that may jump.
struct NodeClock {
  Duration offset{};
  std::int64_t drift_ppm = 0;  // must be > -1,000,000
  // The node's wall clock minus its monotonic clock: NTP steps move it.
  Duration wall_offset{};

  bool identity() const noexcept {
    return offset == Duration::zero() && drift_ppm == 0 && wall_offset == Duration::zero();
  }
  // The node's reading of global time `t`: offset + floor(t * (1e6 + drift) / 1e6).
  TimePoint to_local(TimePoint t) const noexcept {
    const __int128 g = t.time_since_epoch().count();
    return TimePoint(Duration(static_cast<std::int64_t>(floor_div(g * scale(), 1'000'000)))) +
           offset;
  }
  // The earliest global time at which the node reads `local` or later: a timer of the
  // node never fires early, nor later than it must.
  TimePoint to_global(TimePoint local) const noexcept {
    const __int128 l = (local - offset).time_since_epoch().count();
    return TimePoint(Duration(static_cast<std::int64_t>(-floor_div(-l * 1'000'000, scale()))));
  }

  friend bool operator==(const NodeClock&, const NodeClock&) = default;

 private:
  __int128 scale() const noexcept { return 1'000'000 + drift_ppm; }
  static __int128 floor_div(__int128 a, __int128 b) noexcept {  // b > 0
    return a / b - ((a % b != 0) && (a < 0));
  }
};

// The wall clock's reading at local time 0 under virtual time: 2026-01-01T00:00:00Z, so a
// simulated run prints the same timestamps every time.
inline constexpr std::chrono::system_clock::time_point kVirtualWallEpoch{
    std::chrono::seconds(1'767'225'600)};

}  // namespace lockstep
