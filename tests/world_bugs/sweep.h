// Sweeps of the bug set: run a bug's variant over a range of seeds under the fixed fault
// mix or a swarm mix; shrink a failure. Shared by the runner and the CI test.
//
//   const Bug& bug = all_bugs()[0];
//   SweepResult r = sweep(bug, Variant::kBuggy, Mix::kSwarm, 0, 1000);
//   if (r.first_failure) std::puts(shrunk_summary(bug, Variant::kBuggy, Mix::kSwarm,
//                                                 *r.first_failure).c_str());
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/simulation.h"
#include "tests/world_bugs/bugs.h"

namespace lockstep::bugs {

struct SweepResult {
  std::uint64_t runs = 0;
  std::uint64_t failures = 0;
  std::optional<std::uint64_t> first_failure;  // its seed
  std::string first_message;                   // what it raised
};

// The options every run of the bug set uses (quiet; a task's unretrieved error fails it).
SimulationOptions run_options(std::uint64_t seed);

// Runs seeds first .. first+count-1 (or up to the first failure, if
// `stop_at_first_failure`); `progress(done)` after each run if given.
SweepResult sweep(const Bug& bug, Variant variant, Mix mix, std::uint64_t first,
                  std::uint64_t count, const std::function<void(std::uint64_t)>& progress = {},
                  bool stop_at_first_failure = false);

// Shrinks the run of `seed` (which fails) and returns lockstep::shrink's summary.
std::string shrunk_summary(const Bug& bug, Variant variant, Mix mix, std::uint64_t seed,
                           std::uint64_t max_runs = 500);

}  // namespace lockstep::bugs
