// A replicated register on three simulated nodes, under partitions and lost messages:
// the bug found, shrunk to the faults that matter, saved, replayed; then the fix checked.
//
//   ./bazelw run //examples:world_register
//
// The client writes to a majority, then reads from one replica (n1) and believes it. When
// n1 missed the write (a partition, or a lost segment that TCP resends late) the read
// returns an older version than the write just acknowledged. Reading a majority and
// taking the newest answer fixes it. See examples/world/register.h.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "examples/world/register.h"
#include "replay/replay_trace.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace {

using register_example::ReadMode;

std::string trace_dir() {
  for (const char* var : {"BUILD_WORKING_DIRECTORY", "TEST_TMPDIR"})
    if (const char* dir = std::getenv(var)) return std::string(dir) + "/";
  return "";
}

lockstep::Coro<void> buggy() { return register_example::scenario(ReadMode::kNearest); }
lockstep::Coro<void> fixed() { return register_example::scenario(ReadMode::kQuorum); }

}  // namespace

int main() {
  constexpr std::uint64_t kSeeds = 200;
  std::printf("-- the quick read (one replica), seeds 0..%llu\n",
              static_cast<unsigned long long>(kSeeds - 1));
  std::optional<lockstep::SimulationResult<void>> first;
  std::uint64_t failures = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    lockstep::SimulationOptions options;
    options.seed = seed;
    auto run = lockstep::simulate(buggy, options);
    if (run.outcome.ok()) continue;
    ++failures;
    if (!first) first = std::move(run);
  }
  std::printf("%llu of %llu seeds fail\n", static_cast<unsigned long long>(failures),
              static_cast<unsigned long long>(kSeeds));
  if (!first) return 1;
  std::printf("first at seed %llu: %s\n", static_cast<unsigned long long>(first->seed),
              lockstep::describe_exception(first->outcome.exception()).c_str());

  lockstep::SimulationOptions options;
  options.seed = first->seed;
  auto small = lockstep::shrink(buggy, first->decisions, options);
  std::printf("-- shrunk (%zu runs)\n%s", small.runs, small.summary.c_str());

  const std::string name = "world-register.trace";
  lockstep::save_trace(buggy, small.run.decisions, options, trace_dir() + name, "world_register");
  auto again = lockstep::replay_trace(buggy, trace_dir() + name, "world_register");
  std::printf("-- saved %s; replayed: %s\n", name.c_str(),
              again.divergence ? "DIVERGED"
              : again.outcome.ok()
                  ? "passed (?)"
                  : lockstep::describe_exception(again.outcome.exception()).c_str());

  std::uint64_t fixed_failures = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    lockstep::SimulationOptions o;
    o.seed = seed;
    if (!lockstep::simulate(fixed, o).outcome.ok()) ++fixed_failures;
  }
  std::printf("-- the quorum read: %llu of %llu seeds fail\n",
              static_cast<unsigned long long>(fixed_failures),
              static_cast<unsigned long long>(kSeeds));
  return fixed_failures == 0 ? 0 : 1;
}
