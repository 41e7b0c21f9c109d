// Where a simulated run streams what it records, as it happens (replay/'s TraceWriter
// writes it to a file). sim/ knows nothing of the file format.
//
// A sink is also the run's LoopObserver: task lifecycle events, timers firing and errors
// reach on_event (as a LoopObserver) in their place among the decisions.
#pragma once

#include <cstdint>
#include <string_view>

#include "loop/clock.h"
#include "loop/observer.h"
#include "sim/decision.h"

namespace lockstep {

class TraceSink : public LoopObserver {
 public:
  // A decision was made (in order).
  virtual void on_decision(const Decision& d) = 0;
  // The program called lockstep::log(text) at `time` in task `task` (0: no task).
  virtual void on_log(TimePoint time, std::uint64_t task, std::string_view text) = 0;
  // Decision site `site` is `name` for people ("pool.cc:41"); said once per site, before
  // or with its first decision. Default: ignored.
  virtual void on_site(std::uint64_t /*site*/, std::string_view /*name*/) {}
  // A loop event (task created, timer fired, ...). Default: ignored.
  void on_event(const LoopEvent&) noexcept override {}
};

// Adds a line to the running simulation's trace (a no-op outside a simulation or when
// nothing is recorded): a note for the person who later reads or replays the trace.
void log(std::string_view text);

}  // namespace lockstep
