// Cost of recording and replaying: one workload run plainly, under simulation (decisions
// kept in memory), under simulation with a trace file, and replayed from that file.
//   ./bazelw run -c opt //bench:recording
// Prints ns per decision for each mode (medians of 9 interleaved rounds), the ratios, and
// bytes per decision. LOCKSTEP_BENCH_DIR: where the trace goes (default /tmp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench/report.h"
#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "sim/simulation.h"

namespace {

using namespace std::chrono_literals;

// 1,000 tasks, each sleeping 100 times for a drawn number of ms: about 200,000 decisions
// under the faithful strategy (a draw, a timer and a step each time).
lockstep::Coro<long> workload() {
  std::vector<lockstep::Task<long>> tasks;
  for (int t = 0; t < 1000; ++t)
    tasks.push_back(lockstep::create_task([]() -> lockstep::Coro<long> {
      long sum = 0;
      for (int i = 0; i < 100; ++i) {
        const auto ms = static_cast<long>(lockstep::random_below(10));
        co_await lockstep::sleep(std::chrono::milliseconds(ms));
        sum += ms;
      }
      co_return sum;
    }()));
  long total = 0;
  for (long v : co_await lockstep::gather(tasks)) total += v;
  co_return total;
}

}  // namespace

int main() {
  const char* dir = std::getenv("LOCKSTEP_BENCH_DIR");  // default /tmp
  const std::string path = std::string(dir ? dir : "/tmp") + "/lockstep-bench-recording.trace";
  lockstep::SimulationOptions options;
  options.seed = 1;
  const auto reference = lockstep::simulate(workload, options);
  const double decisions = static_cast<double>(reference.decisions.size());

  lockstep::record_trace(workload, options, path, "bench.recording");
  const auto recorded = lockstep::read_trace(path).decisions;
  const std::string replay_path = path + ".replay";  // replayed while `path` is rewritten
  lockstep::record_trace(workload, options, replay_path, "bench.recording");
  const std::vector<double> m = lockstep::bench::interleaved_medians(
      {
          [] { lockstep::run(workload()); },
          [&] { lockstep::simulate(workload, options); },
          [&] { lockstep::record_trace(workload, options, path, "bench.recording"); },
          [&] { lockstep::replay_trace(workload, replay_path); },
          [&] { lockstep::read_trace(replay_path); },
          [&] { lockstep::replay(workload, recorded, options); },
          // The recorder's own work (encoding, events), with no file system behind it.
          [&] { lockstep::record_trace(workload, options, "/dev/null", "bench.recording"); },
      },
      9);
  const double plain = m[0], in_memory = m[1], traced = m[2], replayed = m[3], read_only = m[4],
               replayed_in_memory = m[5], traced_to_null = m[6];
  std::remove(replay_path.c_str());

  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::fseek(f, 0, SEEK_END);
  const double bytes = static_cast<double>(std::ftell(f));
  std::fclose(f);
  if (!std::getenv("LOCKSTEP_BENCH_KEEP")) std::remove(path.c_str());

  std::printf("decisions per run: %.0f\n", decisions);
  std::printf("plain loop (no simulation):  %8.1f ns per decision-equivalent\n", plain / decisions);
  std::printf("simulated, in memory:        %8.1f ns per decision\n", in_memory / decisions);
  std::printf("simulated, with trace file:  %8.1f ns per decision\n", traced / decisions);
  std::printf("simulated, trace to /dev/null: %6.1f ns per decision\n", traced_to_null / decisions);
  std::printf("replayed from the trace:     %8.1f ns per decision\n", replayed / decisions);
  std::printf("  of which reading the file: %8.1f ns per decision\n", read_only / decisions);
  std::printf("replayed from memory:        %8.1f ns per decision\n",
              replayed_in_memory / decisions);
  std::printf("recording overhead (trace / in memory): %.2fx\n", traced / in_memory);
  std::printf("  of which the recorder itself (trace to /dev/null / in memory): %.2fx\n",
              traced_to_null / in_memory);
  std::printf("simulation overhead (in memory / plain): %.2fx\n", in_memory / plain);
  std::printf("replay vs recording (replay / trace):    %.2fx\n", replayed / traced);
  std::printf("bytes per decision: %.2f\n", bytes / decisions);
}
