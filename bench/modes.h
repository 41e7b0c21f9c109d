// How a workload runs, so each one measures plain and simulated execution side by side:
//
//   LOCKSTEP_BENCH_MODE=plain     lockstep::run: the loop with no decision source (default)
//   LOCKSTEP_BENCH_MODE=simulate  lockstep::simulate, seed 1, the faithful strategy: every
//                                 decision drawn and kept in memory
//   LOCKSTEP_BENCH_MODE=record    the same, every decision, log line and event also
//                                 streamed to a trace file (LOCKSTEP_BENCH_DIR, default /tmp;
//                                 removed after, unless LOCKSTEP_BENCH_KEEP=1)
//
//   const long sum = lockstep::bench::run_workload("yield", [&] { return root(elapsed_ns); });
//
// The timed region is the workload's own (its Stopwatch), the same in every mode. The
// simulated modes print "note mode=... decisions=N trace_bytes=B" on stderr.
#pragma once

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "loop/run.h"
#include "replay/replay_trace.h"
#include "sim/simulation.h"

namespace lockstep::bench {

enum class Mode { kPlain, kSimulate, kRecord };

inline Mode mode_from_env() {
  const char* m = std::getenv("LOCKSTEP_BENCH_MODE");
  if (!m || !*m || std::strcmp(m, "plain") == 0) return Mode::kPlain;
  if (std::strcmp(m, "simulate") == 0) return Mode::kSimulate;
  if (std::strcmp(m, "record") == 0) return Mode::kRecord;
  std::fprintf(stderr, "LOCKSTEP_BENCH_MODE=%s: expected plain, simulate or record\n", m);
  std::exit(2);
}

// Runs program() (which returns a fresh Coro<T>) in the mode the environment asks for;
// returns what it returned. A failure of the run ends the process with its error.
template <class F>
auto run_workload(const char* workload, F program) {
  const Mode mode = mode_from_env();
  if (mode == Mode::kPlain) {
    RunOptions plain;
    plain.max_steps = ~std::uint64_t{0};  // the workloads are long on purpose
    return run(program(), plain);
  }
  SimulationOptions options;
  options.seed = 1;
  options.max_steps = ~std::uint64_t{0};  // the workloads are long on purpose
  const char* dir = std::getenv("LOCKSTEP_BENCH_DIR");
  const std::string path =
      std::string(dir && *dir ? dir : "/tmp") + "/lockstep-bench-" + workload + ".trace";
  auto result = mode == Mode::kSimulate
                    ? simulate(program, options)
                    : record_trace(program, options, path, std::string("bench.") + workload);
  struct stat st {};
  const long long bytes = mode == Mode::kRecord && stat(path.c_str(), &st) == 0 ? st.st_size : 0;
  std::fprintf(stderr, "note mode=%s decisions=%zu trace_bytes=%lld\n",
               mode == Mode::kSimulate ? "simulate" : "record", result.decisions.size(), bytes);
  // LOCKSTEP_BENCH_KEEP=1 keeps the trace, to look at (lockstep show / stats).
  const char* keep = std::getenv("LOCKSTEP_BENCH_KEEP");
  if (mode == Mode::kRecord && !(keep && *keep == '1')) std::remove(path.c_str());
  return std::move(result.outcome).value();
}

}  // namespace lockstep::bench
