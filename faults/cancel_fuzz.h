// Cancellation fuzzing: cancel() landing on tasks at their awaits, at random or at each
// await in turn; with `at = Point::kWake` (or kBoth) also after what a task awaited
// completed and before it resumed, where its result is lost.
//
//   SimulationOptions o;                                       // random: 5% per await
//   o.strategy.cancellation = {.mode = CancellationFuzzing::Mode::kRandom, .tasks = "worker-*"};
//   auto sweep = lockstep::simulate_seeds(program, 0, 1000, o, on_run);
//
//   auto each = lockstep::cancel_at_each_await(program, o, [](std::uint64_t k, const auto& run) {
//     if (!run.outcome.ok()) std::printf("a cancel at await #%llu breaks it\n", k);
//   });
//
// Random mode is a strategy option (StrategyOptions::cancellation), so it works with every
// sweep, replay and shrink. Exhaustive mode first runs the program without cancellations
// to count N, the awaits of the targeted tasks, then once per k = 1..N with a cancel at
// exactly the k-th (same seed, so the same run up to that await).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/simulation.h"

namespace lockstep {

struct AwaitSweep {
  std::uint64_t awaits = 0;            // N: awaits of the targeted tasks in the run without cancels
  bool baseline_ok = true;             // that run succeeded (if not, nothing else was run)
  std::vector<std::uint64_t> failing;  // the k whose cancellation made the run fail
  std::uint64_t runs = 0;              // including the baseline
};

// Runs `program` once per await of the targeted tasks (options.strategy.cancellation.tasks,
// under options' seed and strategy), cancelling at exactly that await. on_run(k, run)
// sees every run, k = 0 for the baseline.
template <class F, class OnRun>
AwaitSweep cancel_at_each_await(F program, SimulationOptions options, OnRun on_run) {
  AwaitSweep sweep;
  options.strategy.cancellation.mode = CancellationFuzzing::Mode::kExhaustive;
  options.strategy.cancellation.index = 0;
  auto baseline = simulate(program, options);
  ++sweep.runs;
  on_run(std::uint64_t{0}, baseline);
  sweep.baseline_ok = baseline.outcome.ok();
  if (!sweep.baseline_ok) return sweep;
  for (const Decision& d : baseline.decisions) sweep.awaits += is_cancel(d.kind);
  for (std::uint64_t k = 1; k <= sweep.awaits; ++k) {
    options.strategy.cancellation.index = k;
    auto run = simulate(program, options);
    ++sweep.runs;
    on_run(k, run);
    if (!run.outcome.ok()) sweep.failing.push_back(k);
  }
  return sweep;
}

}  // namespace lockstep
