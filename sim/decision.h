// A decision: one nondeterministic choice of a run, as recorded in its trace.
//
//   Decision{kind, site, bound, value}: at decision point `site` of kind `kind`, a value
//   in [0, bound] (a duration in ns) or [0, bound) (an index) was chosen.
//
// Value 0 is always the plain asyncio behaviour: no extra step cost, no timer lateness,
// scheduling order among ties, arrival order of completions, FIFO ready order, zero
// executor time. So a run's decisions can be shrunk toward 0, and a decision missing
// from a shortened stream takes 0.
//
// A step's cost and a timer's lateness are asked at every step and every timer, but are
// decisions only when they are not 0 (most cost nothing: recording each would be most of
// a run's decisions). Such a decision says which request it answers (`ordinal`: the n-th
// step of task `site`, the run's n-th timer); every other request of a replay takes 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "loop/clock.h"

namespace lockstep {

enum class DecisionKind : std::uint8_t {
  kStepCost = 1,         // virtual time a step took; bound = max ns
  kTimerDelay = 2,       // lateness of a timer; bound = max ns
  kTimerOrder = 3,       // which of `bound` timers due together goes next
  kCompletionOrder = 4,  // which of `bound` simultaneous external completions goes next
  kReadyOrder = 5,       // any-order modes: which of `bound` ready callbacks runs next
  kJobDuration = 6,      // virtual time an executor job took; bound = max ns
  kRandom = 7,           // lockstep::random_below(bound) in the program under test
  kFault = 8,            // a fault point (buggify): site enabled for the run, or firing now
  kCancel = 9,           // cancellation fuzzing: 1 = cancel the task at this await
  kWakeCancel = 10,      // cancellation fuzzing: 1 = cancel the task after what it awaited
                         // completed, before it resumed (its result is lost)
  kNetDelay = 11,        // simulated network: extra latency of one message on a link (on
                         // top of the fixed base latency); bound = max ns; site = the link
  // The simulated world (sim/world/). Sites are named for people ("crash n2"); value 0
  // is the perfect world, so shrinking removes world faults like any other decision.
  kCrash = 12,        // bound 2: 1 = power loss of the node the site names, now; bound > 2:
                      // how long it stays down, in ms ("n2 down for")
  kClock = 13,        // a node's clock: offset or wall-clock step in us, drift in ppm, as a
                      // signed value zigzag-coded (0, -1, +1, -2, ...) in [0, bound)
  kLinkFault = 14,    // one message on the link the site names: 0 delivered, 1 lost,
                      // 2 duplicated
  kPartition = 15,    // bound 2: 1 = the partition the site names starts now; bound > 2:
                      // how long it lasts, in ms
  kDiskLatency = 16,  // simulated disk: extra latency of one write or fsync (DiskFaults);
                      // bound = max ns; site = the disk and the operation on a file
  kDiskError = 17,    // simulated disk: an injected error (EIO, ENOSPC): 1 = it fails; for a
                      // latent sector error, bound = sectors read + 1 and value = 1 + the bad
                      // sector; site = the disk, the error and the file
  kDiskCrash = 18,    // simulated disk, at a crash: the fate of one file's unsynced writes
                      // (bound >= 3: 0 kept, 1 lost, 2 + k torn after k sectors of the last
                      // write) or of one directory's unsynced changes (bound 2: 0 kept,
                      // 1 undone); site = the disk and the file or directory
};
// Kinds are 1..kMaxDecisionKind; a trace with another kind is corrupt or newer.
inline constexpr DecisionKind kMaxDecisionKind = DecisionKind::kDiskCrash;

// The signed value a kClock decision stands for (zigzag: 0, -1, +1, -2, +2, ...), and back.
constexpr std::int64_t signed_choice(std::uint64_t v) noexcept {
  return (v & 1) ? -static_cast<std::int64_t>((v + 1) / 2) : static_cast<std::int64_t>(v / 2);
}
constexpr std::uint64_t signed_choice_code(std::int64_t v) noexcept {
  return v < 0 ? static_cast<std::uint64_t>(-v) * 2 - 1 : static_cast<std::uint64_t>(v) * 2;
}

// True for the kinds that inject a cancellation (cancellation fuzzing).
constexpr bool is_cancel(DecisionKind k) noexcept {
  return k == DecisionKind::kCancel || k == DecisionKind::kWakeCancel;
}

// True for the kinds whose value is a duration in ns, chosen in [0, bound].
constexpr bool is_duration(DecisionKind k) noexcept {
  return k == DecisionKind::kStepCost || k == DecisionKind::kTimerDelay ||
         k == DecisionKind::kJobDuration || k == DecisionKind::kNetDelay ||
         k == DecisionKind::kDiskLatency;
}

// True for the kinds asked far more often than they are not 0, and so recorded only
// when they are not 0, numbered (Decision::ordinal): a step's cost, a timer's lateness.
constexpr bool is_sparse(DecisionKind k) noexcept {
  return k == DecisionKind::kStepCost || k == DecisionKind::kTimerDelay;
}

// "step_cost", "timer_delay", ...: the names traces and reports use.
const char* to_string(DecisionKind kind) noexcept;

struct Decision {
  DecisionKind kind{};
  std::uint64_t site = 0;   // where: the task that stepped, the job, a random() call site
  std::uint64_t bound = 0;  // the range the value was chosen from (see DecisionKind)
  std::uint64_t value = 0;  // the choice; 0 = asyncio's default
  TimePoint time{};         // the loop's time when it was made
  std::uint64_t task = 0;   // the task running then (step_cost: the task that stepped), or 0
  // is_sparse(kind): which request of its kind and site it answers (1 = the first):
  // step_cost the task's n-th step, timer_delay the run's n-th timer. Else 0.
  std::uint64_t ordinal = 0;

  friend bool operator==(const Decision&, const Decision&) = default;
};

// "step_cost site=3 bound=10000000 value=250000 t=0.012000s task=3"
std::string describe(const Decision& d);
// The same with the site by name where one is known ("random site=pool.cc:41 ...").
std::string describe(const Decision& d, const std::map<std::uint64_t, std::string>& site_names);
// " step=N" (a step's cost), " timer=N" (a timer's lateness): the ordinal of a sparse
// decision as reports print it; "" when it has none.
std::string ordinal_text(const Decision& d);

// "1st", "2nd", "3rd", "4th", "11th", "21st": for reports.
std::string ordinal(std::uint64_t n);
// A decision site for people: its name ("pool.cc:41") if known, else its number.
std::string site_text(std::uint64_t site, const std::map<std::uint64_t, std::string>& site_names);

}  // namespace lockstep
