// A trace as a person reads it: every record in stream order, with tasks called by name.
//
//   for (const lockstep::TimelineEntry& e : lockstep::timeline(trace))
//     std::cout << lockstep::timeline_tag(e) << "  " << lockstep::format_seconds(e.time) << "  "
//               << e.who << "  " << e.what << "\n";
//
// Used by `lockstep show`, `lockstep diff` and replay's divergence reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "replay/trace_file.h"

namespace lockstep {

struct TimelineEntry {
  enum class Source : std::uint8_t { kDecision, kLog, kEvent };
  Source source;
  std::size_t index;  // into trace.decisions, .logs or .events
  TimePoint time;
  std::uint64_t task;
  std::string who;   // "task 3 'worker'", or "loop"
  std::string what;  // "decision #12 step_cost ...", "log: ...", "failed: ValueError: x"
};

// The entry's number as `lockstep show` prints it in its first column and
// LOCKSTEP_BREAK_AT takes it (sim/break_at.h): "d12" (decision #12), "e40" (event #40),
// "l3" (log line #3).
std::string timeline_tag(const TimelineEntry& entry);

// Every decision, log line and event of `trace`, in the order they were recorded. Task
// names are those in effect at each point (from task_created and task_renamed events).
std::vector<TimelineEntry> timeline(const Trace& trace);

// The tasks of a trace by id with their last name (from its events; empty if none).
std::map<std::uint64_t, std::string> task_names(const Trace& trace);

// "task 3 'worker'", "task 3" (name unknown), or "loop" for 0.
std::string task_label(std::uint64_t task, const std::map<std::uint64_t, std::string>& names);

// What an event says, without its time or task: "created by task 1 'main'", "failed:
// ValueError: boom", "timer fired", ...
std::string event_text(const TraceEvent& e, const std::map<std::uint64_t, std::string>& names);

// The last `lines` entries of timeline(trace) before decision number `decision`, as
// `lockstep show` prints them ("tag  time  who  what", unpadded).
std::vector<std::string> context_before(const Trace& trace, std::size_t decision,
                                        std::size_t lines);

// "kind site=... bound=... value=...", the site by name where `site_names` has it.
std::string decision_text(const Decision& d,
                          const std::map<std::uint64_t, std::string>& site_names = {});

// "1.250000s".
std::string format_seconds(TimePoint t);

}  // namespace lockstep
