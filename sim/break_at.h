// Stopping a simulated run in a debugger at one moment of it: a decision, a loop event or
// a log line, numbered as the first column of `lockstep show` numbers them.
//
//   $ lockstep show run.trace
//   d12  0.250000s  task 3 'worker'  decision #12 step_cost site=...
//   e40  0.250000s  task 3 'worker'  waiting on Queue.get() of ...
//   $ LOCKSTEP_BREAK_AT=e40 LOCKSTEP_REPLAY=run.trace gdb --args bazel-bin/tests/my_test
//   $ gdb --args ./my_binary replay run.trace --break-at=d12   // lockstep::Programs
//
//   lockstep::SimulationOptions o{.seed = 7};
//   o.break_at = lockstep::BreakAt::parse("d12");           // or LOCKSTEP_BREAK_AT=d12
//
// Every simulated run (simulate, replay, LOCKSTEP_TEST, `replay --break-at`) counts its
// decisions, events and log lines the way its trace stores them, so the numbers of a
// recorded run's `show` name the same moments in its replay and in a new run of its seed.
// At the moment, the run prints what it is on stderr and raises SIGTRAP if a debugger is
// attached (TracerPid in /proc/self/status); with none it prints the loop's state
// (loop/debug.h) and goes on. See docs/debugging.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sim/trace_sink.h"

namespace lockstep {

struct BreakAt {
  enum class Kind : std::uint8_t { kDecision, kEvent, kLog };
  Kind kind = Kind::kDecision;
  std::uint64_t index = 0;  // 0-based, as `show` numbers them

  // "d12" (decision #12), "e40" (event #40), "l3" (log line #3). Throws
  // std::invalid_argument naming `text` and what it takes.
  static BreakAt parse(std::string_view text);
  std::string to_string() const;  // "d12"
  std::string describe() const;   // "decision #12", "event #40", "log line #3"
  friend bool operator==(const BreakAt&, const BreakAt&) = default;
};

// LOCKSTEP_BREAK_AT, parsed; nullopt if unset or empty. Throws std::invalid_argument
// ("LOCKSTEP_BREAK_AT='x': ...") for anything else.
std::optional<BreakAt> break_at_from_env();

// True iff a debugger (any tracer) is attached to this process.
bool debugger_attached();

// A run's sink that counts what the trace would number, forwards everything to `inner`
// (none: nullptr) and stops at `at` (see the top of this file). What it forwards and
// in which order is unchanged, so a trace recorded through it is the same trace.
class BreakAtSink final : public TraceSink {
 public:
  BreakAtSink(BreakAt at, TraceSink* inner) noexcept : at_(at), inner_(inner) {}

  void on_decision(const Decision& d) override;
  void on_log(TimePoint time, std::uint64_t task, std::string_view text) override;
  void on_site(std::uint64_t site, std::string_view name) override;
  void on_event(const LoopEvent& e) noexcept override;

  bool reached() const noexcept { return reached_; }
  // For a run that ended without reaching it: "LOCKSTEP_BREAK_AT=d500 was never reached:
  // the run made 120 decisions (d0-d119), 310 events (e0-e309), 2 log lines (l0-l1)".
  std::string not_reached_text() const;

 private:
  // The moment: says what it is on stderr, then SIGTRAP (debugger) or the loop's state.
  [[gnu::noinline]] void stop(const std::string& what) noexcept;
  // SIGTRAP, for the debugger: frame 0 of the stop.
  [[gnu::noinline]] static void trap() noexcept;
  std::string task_text(std::uint64_t task) const;

  BreakAt at_;
  TraceSink* inner_;
  std::uint64_t decisions_ = 0, events_ = 0, logs_ = 0;  // seen so far
  bool reached_ = false;
  std::map<std::uint64_t, std::string> task_names_;  // from task_created/renamed events
  std::map<std::uint64_t, std::string> site_names_;  // from on_site
};

}  // namespace lockstep
