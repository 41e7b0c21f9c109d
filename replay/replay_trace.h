// Record a simulated run to a trace file, and replay a trace file.
//
//   auto run = lockstep::record_trace(program, options, "run.trace", "my_test");
//   auto again = lockstep::replay_trace(program, "run.trace", "my_test");   // same run
//   lockstep::save_trace(program, shrunk.run.decisions, options, "small.trace", "my_test");
//
// replay_trace refuses (TraceError) a trace of another program, so a trace from CI
// cannot silently be replayed against the wrong test.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "replay/timeline.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"

namespace lockstep {

template <class F>
auto record_trace(F program, SimulationOptions options, const std::string& path,
                  std::string program_name, std::map<std::string, std::string> labels = {}) {
  TraceWriter writer(
      path, TraceInfo{options.seed, options.strategy, std::move(program_name), std::move(labels),
                      options.faults ? options.faults->text() : std::string()});
  options.trace = &writer;
  auto run = simulate(std::move(program), options);
  writer.finish(run);
  return run;
}

// Runs `decisions` again (e.g. a shrunk stream) and writes that run's trace to `path`.
template <class F>
auto save_trace(F program, std::vector<Decision> decisions, SimulationOptions options,
                const std::string& path, std::string program_name,
                std::map<std::string, std::string> labels = {}) {
  TraceWriter writer(
      path, TraceInfo{options.seed, options.strategy, std::move(program_name), std::move(labels),
                      options.faults ? options.faults->text() : std::string()});
  options.trace = &writer;
  auto run = replay(std::move(program), std::move(decisions), options);
  writer.finish(run);
  return run;
}

// After replaying trace `t` into `run`: when every recorded decision matched but the
// steps did not (steps that cost nothing are no decisions, so only the End record's
// schedule digest tells), a divergence that says so. Traces without a digest (formats
// 1-4, a run that died before its End) are not checked.
template <class T>
void note_schedule_mismatch(SimulationResult<T>& run, const Trace& t) {
  if (run.divergence || !t.end || t.end->schedule_digest == 0 ||
      run.schedule_digest == t.end->schedule_digest)
    return;
  Divergence d;
  d.index = run.decisions.size();
  if (run.steps != t.end->steps)
    d.what = "the replay made every recorded decision but took " + std::to_string(run.steps) +
             " steps where the recording took " + std::to_string(t.end->steps) +
             " (a step or time budget the replay does not share, or something outside the "
             "decisions, such as a real clock, an address or hash order, chose what ran)";
  else
    d.what =
        "the replay made every recorded decision, but its tasks took their steps in "
        "another order than the recording's: something outside the decisions, such as a "
        "real clock, an address or hash order, chose what ran";
  run.divergence = std::move(d);
}

// `break_at`: stop in a debugger at that moment of the replay (sim/break_at.h); nullopt:
// LOCKSTEP_BREAK_AT's, if set.
template <class F>
auto replay_trace(F program, const std::string& path, std::string_view program_name = {},
                  std::optional<BreakAt> break_at = std::nullopt) {
  Trace t = read_trace(path, TraceParts::kDecisionsOnly);
  if (!program_name.empty() && t.info.program != program_name)
    throw TraceError(path + ": a trace of '" + printable(t.info.program) + "', not of '" +
                     std::string(program_name) + "'");
  SimulationOptions options = t.simulation_options();
  options.break_at = break_at;
  auto run = replay(std::move(program), std::move(t.decisions), options);
  note_schedule_mismatch(run, t);
  if (run.divergence) {
    // The recording's sites by the names it gave them: the replaying program may never
    // have reached (so named) the site it diverged from.
    for (const auto& [site, name] : t.site_names)
      run.divergence->site_names.try_emplace(site, name);
    // The recording's last lines before that point, log lines and events included.
    run.divergence->recorded_context = context_before(read_trace(path), run.divergence->index, 10);
  }
  return run;
}

}  // namespace lockstep
