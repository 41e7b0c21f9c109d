#include "tests/world_bugs/sweep.h"

#include "loop/errors.h"
#include "sim/shrink.h"

namespace lockstep::bugs {

SimulationOptions run_options(std::uint64_t seed) {
  SimulationOptions o;
  o.seed = seed;
  o.exception_handler = [](Loop&, const ExceptionContext&) {};
  o.unretrieved_errors = UnretrievedErrors::kFail;
  return o;
}

SweepResult sweep(const Bug& bug, Variant variant, Mix mix, std::uint64_t first,
                  std::uint64_t count, const std::function<void(std::uint64_t)>& progress,
                  bool stop_at_first_failure) {
  SweepResult r;
  auto program = [&bug, variant, mix] { return bug.run(variant, mix); };
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    auto run = simulate(program, run_options(seed));
    ++r.runs;
    if (!run.outcome.ok()) {
      if (!r.first_failure) {
        r.first_failure = seed;
        r.first_message = describe_exception(run.outcome.exception());
      }
      ++r.failures;
    }
    if (progress) progress(r.runs);
    if (stop_at_first_failure && r.first_failure) break;
  }
  return r;
}

std::string shrunk_summary(const Bug& bug, Variant variant, Mix mix, std::uint64_t seed,
                           std::uint64_t max_runs) {
  auto program = [&bug, variant, mix] { return bug.run(variant, mix); };
  const SimulationOptions o = run_options(seed);
  auto failing = simulate(program, o);
  ShrinkOptions so;
  so.max_runs = max_runs;
  so.max_time = std::chrono::seconds(60);
  auto small = shrink(program, failing.decisions.to_vector(), o, so);
  return small.summary;
}

}  // namespace lockstep::bugs
