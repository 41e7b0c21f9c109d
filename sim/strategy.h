// Scheduling strategies: which of a run's choices a simulation makes, and how.
//
//   lockstep::StrategyOptions s;                 // faithful, the default
//   s.kind = lockstep::Strategy::kRandom;        // opt in to orders asyncio never produces
//
// - fifo: no perturbation at all: plain asyncio (the conformance suite passes under it).
//   Only the program's own lockstep::random() draws are decisions.
// - faithful: the ready queue stays FIFO, as asyncio promises. Decided: how much virtual
//   time a step takes (so whether a timer fires between two steps), how late a timer
//   fires, the order among timers due together, the order of simultaneous external
//   completions, how long executor jobs take. Every schedule is one real asyncio could
//   produce, so every failure found is a real one.
// - random: faithful, plus any ready callback may run next (uniformly). For code that
//   claims not to depend on FIFO: it explores orders asyncio itself never produces.
// - pct: faithful, plus probabilistic concurrency testing (Burckhardt et al., ASPLOS
//   2010): each task gets a random priority, the highest-priority ready one runs next,
//   and at d-1 random points the running task drops to the lowest priorities. Finds a
//   bug of depth d with probability at least 1/(n k^(d-1)). Also beyond asyncio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loop/clock.h"
#include "sim/decision.h"

namespace lockstep {

enum class Strategy : std::uint8_t { kFifo = 0, kFaithful = 1, kRandom = 2, kPct = 3 };

// "fifo", "faithful", "random".
const char* to_string(Strategy s) noexcept;
// The strategy named `name`, or nullopt.
std::optional<Strategy> parse_strategy(std::string_view name) noexcept;

// Cancellation fuzzing: a cancel() landing on a task at one of its awaits (the moment
// it suspends), as if another task had called it right then - or the timeout() scope
// around that await expiring right then. Each await of a targeted
// task is a decision of kind cancel (1 = cancel here), so a run with cancellations
// replays and shrinks like any other. Works with every strategy, fifo included.
struct CancellationFuzzing {
  enum class Mode : std::uint8_t {
    kOff,         // no await is a decision (the default)
    kRandom,      // cancel at each await with `probability`
    kExhaustive,  // cancel at exactly the `index`-th await of the run (1-based; 0: none)
  };
  // What a firing does at the await.
  enum class Target : std::uint8_t {
    kTask,       // cancel the awaiting task
    kTimeout,    // expire the innermost timeout() scope around the await, at that moment
                 // (the task's own, or that of the task awaiting it: wait_for(task, d));
                 // awaits outside one are not decisions
    kAny,        // any of the three this await has (the task always)
    kEnclosing,  // cancel the gather, shield or TaskGroup the task runs in (the nearest):
                 // awaits of tasks in none are not decisions
  };
  // Where a cancel may land.
  enum class Point : std::uint8_t {
    kSuspend,  // as the task suspends at an await
    kWake,     // after what it awaited completed, before it resumed: the result is lost
               // (a queue item, a lock hand-off, a reply); always aimed at the task
    kBoth,     // either: each is a decision
  };
  Mode mode = Mode::kOff;
  Point at = Point::kSuspend;
  double probability = 0.05;
  std::uint64_t index = 0;
  // Which tasks: names matching this pattern ('*' matches any run of characters). Empty:
  // every task but the one running main, whose cancellation ends the run by design.
  std::string tasks;
  Target target = Target::kTask;
};

// What an await's cancel decision of value `value` (not 0) does under `target`. With a
// single target, 1 means that target; with kAny the value names it.
enum class InjectedCancel : std::uint8_t { kTask = 1, kTimeout = 2, kEnclosing = 3 };
InjectedCancel injected_cancel(CancellationFuzzing::Target target, std::uint64_t value) noexcept;

// "off", "random", "exhaustive"; "task", "timeout", "any", "enclosing"; "suspend", "wake",
// "both".
const char* to_string(CancellationFuzzing::Mode mode) noexcept;
std::optional<CancellationFuzzing::Mode> parse_cancellation_mode(std::string_view name) noexcept;
const char* to_string(CancellationFuzzing::Target target) noexcept;
const char* to_string(CancellationFuzzing::Point point) noexcept;
std::optional<CancellationFuzzing::Point> parse_cancellation_point(std::string_view name) noexcept;
std::optional<CancellationFuzzing::Target> parse_cancellation_target(
    std::string_view name) noexcept;
// True iff `name` matches `pattern` ('*' matches any run of characters, even empty).
bool glob_match(std::string_view pattern, std::string_view name) noexcept;

// Fault points (lockstep::buggify): FoundationDB's two levels. The first time a run
// reaches a site it decides whether the site is enabled for the whole run; an enabled
// site then fires each time with its probability. Both are decisions of kind fault.
struct FaultPoints {
  bool enabled = true;               // false: buggify() is false, as outside simulation
  double enable_probability = 0.25;  // per site, per run
  double fire_probability = 0.25;    // per reach of an enabled site (buggify() without one)
};

struct StrategyOptions {
  Strategy kind = Strategy::kFaithful;
  // faithful and random: a step takes extra virtual time with this chance (percent),
  // uniform in [1ns, max_step_cost].
  std::uint32_t step_cost_percent = 10;
  Duration max_step_cost = std::chrono::milliseconds(10);
  // A timer fires late with this chance (percent), by up to max_timer_delay.
  std::uint32_t timer_delay_percent = 10;
  Duration max_timer_delay = std::chrono::milliseconds(1);
  // An executor job takes up to this much virtual time (uniform).
  Duration max_job_duration = std::chrono::milliseconds(100);
  // The simulated network (sim/net/sim_network.h): every message (a segment of a stream,
  // a datagram) takes net_latency, plus - except under fifo - with this chance (percent)
  // an extra delay uniform in [1ns, max_net_delay], a decision of kind net_delay whose
  // site is the link ("client:49152 -> server:7000").
  Duration net_latency = std::chrono::microseconds(50);
  std::uint32_t net_delay_percent = 10;
  Duration max_net_delay = std::chrono::milliseconds(1);
  // pct: the bug depth d (d-1 priority change points), and the number of scheduling
  // choices k over which the change points are spread.
  std::uint32_t pct_depth = 3;
  std::uint64_t pct_steps = 10'000;
  CancellationFuzzing cancellation;
  FaultPoints faults;
};

// True with probability p (clamped to [0, 1]) from one draw of `rng`: the same on every
// platform (a 32-bit threshold, not a std:: distribution).
template <class Rng>
bool draw_probability(Rng& rng, double p) {
  p = p < 0 ? 0 : p > 1 ? 1 : p;
  return (rng.next() >> 32) < static_cast<std::uint64_t>(p * 4294967296.0);
}

// The bound of a duration decision of `kind` under `strategy`: its maximum in ns (step
// cost, timer delay, job duration, net delay); 0 for kinds that are not durations. Traces store
// bounds relative to it.
std::uint64_t duration_bound(DecisionKind kind, const StrategyOptions& strategy) noexcept;

}  // namespace lockstep
