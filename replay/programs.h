// The programs a binary can replay and shrink from trace files, by the name their traces
// carry (the `program` given to record_trace).
//
//   int main(int argc, char** argv) {
//     lockstep::Programs programs;
//     programs.add("shop", shop);                       // shop(): a Coro<T>
//     return lockstep::cli::main(argc, argv, &programs);
//   }
//   // ./my_binary shrink failing.trace --max-runs=500   -> failing.shrunk.trace
//   // ./my_binary replay failing.shrunk.trace
//   // gdb --args ./my_binary replay failing.trace --break-at=e40   (docs/debugging.md)
//
// The trace tool //replay:lockstep runs no programs (it can only read traces); a test or
// an example that registers its programs gets every command, replay and shrink included.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "replay/replay_trace.h"
#include "replay/trace_file.h"
#include "sim/shrink.h"

namespace lockstep {

class Programs {
 public:
  struct ReplayReport {
    bool ok = false;         // main returned
    std::string outcome;     // "ok" or the failure, "Type: message"
    std::string divergence;  // the divergence report, if the replay diverged
  };
  struct ShrinkReport {
    bool failed = false;
    std::string summary;
    std::uint64_t runs = 0;
    bool budget_exhausted = false;
  };
  struct Entry {
    // `break_at`: stop in a debugger there (sim/break_at.h); nullopt: LOCKSTEP_BREAK_AT's.
    std::function<ReplayReport(const std::string& trace_path, std::optional<BreakAt> break_at)>
        replay;
    std::function<ShrinkReport(const std::string& in, const std::string& out, ShrinkOptions)>
        shrink;
  };

  // Registers `program` (a callable returning a Coro<T>) under `name`.
  template <class F>
  void add(std::string name, F program) {
    Entry e;
    e.replay = [program, name](const std::string& path, std::optional<BreakAt> break_at) {
      auto run = replay_trace(program, path, name, break_at);
      ReplayReport r;
      r.ok = run.outcome.ok();
      r.outcome = r.ok ? "ok" : describe_exception(run.outcome.exception());
      if (run.divergence) r.divergence = run.divergence->report();
      return r;
    };
    e.shrink = [program, name](const std::string& in, const std::string& out,
                               ShrinkOptions options) {
      Trace t = read_trace(in);
      if (t.info.program != name)
        throw TraceError(in + ": a trace of '" + printable(t.info.program) + "', not of '" + name +
                         "'");
      const SimulationOptions sim = t.simulation_options();
      auto small = shrink(program, std::move(t.decisions), sim, std::move(options));
      ShrinkReport r;
      r.failed = small.failed;
      r.summary = small.summary;
      r.runs = small.runs;
      r.budget_exhausted = small.budget_exhausted;
      if (small.failed) {
        auto labels = t.info.labels;
        labels["shrunk_from"] = in;
        save_trace(program, small.run.decisions, sim, out, name, labels);
      }
      return r;
    };
    entries_[std::move(name)] = std::move(e);
  }

  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : entries_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace lockstep
