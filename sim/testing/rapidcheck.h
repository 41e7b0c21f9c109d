// RapidCheck integration: the simulation's decisions come from RapidCheck, so its
// shrinker shrinks the program's inputs and its schedule together.
//
//   RC_GTEST_PROP(Cache, EveryReaderThatIsNotCancelledGetsTheValue, ()) {
//     const auto [keys, schedule] =     // one pick: shrunk together
//         *lockstep::with_schedule(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3)));
//     lockstep::rc_simulate([keys = keys]() -> lockstep::Coro<void> {  // (clang 14 cannot
//                                                                       // capture bindings)
//       ...
//       RC_ASSERT(value == expected);     // inside the coroutine, as anywhere
//     }, schedule, options);
//   }
//
// A Schedule is a sequence of choices, most of them 0 (plain asyncio); the run takes its
// i-th choice point (every step's cost and timer's lateness among them) from the i-th
// choice. Draw the inputs and the schedule in one pick
// (with_schedule): RapidCheck regenerates every later pick whenever an earlier one
// shrinks, so inputs and schedule drawn apart do not shrink together. When a run fails,
// its trace is saved (LOCKSTEP_TRACE_DIR, else Bazel's test outputs, else the temp dir)
// and named in RapidCheck's report; the last trace saved is the shrunk counterexample's.
// RapidCheck's reproduce string (RC_PARAMS="reproduce=...") reruns exactly that case.
//
// The schedule decides every decision: the strategy and the fault plan say which choices
// are decisions (which tasks' awaits may be cancelled, which fault points exist) and
// bound them, but their probabilities do not apply (a cancel fires on an odd choice).
// The program must be re-runnable (saving the trace runs it again): no state outside it
// that a run changes, and no *gen inside it.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "replay/replay_trace.h"
#include "sim/simulation.h"

namespace lockstep {

// A schedule as a value: the choices a run's decisions take, in order (see
// SimDecisions::from_choices). Choices past the end are 0.
struct Schedule {
  std::vector<std::uint64_t> choices;
};

// Schedules of up to `max_choices` choices, each 0 (the default: asyncio's order, no
// delay, no cancel, no fault) `default_weight` times in `default_weight + 1`, any value
// otherwise. RapidCheck shrinks them toward fewer and smaller choices: toward plain asyncio.
rc::Gen<Schedule> gen_schedule(std::size_t max_choices = 400, int default_weight = 9);

// "3 non-default choices of 120: #4=17 #9=1 #31=88" (RapidCheck shows counterexamples so).
void showValue(const Schedule& schedule, std::ostream& os);

// The inputs `inputs` generates and a schedule, as one value: `auto [in, schedule] = *...`.
template <class T>
rc::Gen<std::pair<T, Schedule>> with_schedule(rc::Gen<T> inputs) {
  return rc::gen::pair(std::move(inputs), gen_schedule());
}

namespace internal {
// The program's name in traces: `name`, else the running gtest test's "Suite.Name", else
// "property".
std::string rc_program_name(const std::string& name);
// Where rc_simulate saves the trace of a failing run of `program_name`.
std::string rc_trace_path(const std::string& program_name);
// False for RapidCheck's non-failures thrown through a run (RC_PRE's discard, RC_SUCCEED).
bool is_failure(const std::exception_ptr& e);
}  // namespace internal

// Runs program() (returning a Coro<T>) under simulation with `schedule` (inside a
// RapidCheck property). `options` says which choices are decisions
// (strategy, cancellation fuzzing, faults); the schedule decides them. A failed run saves
// its trace, logs the path with RC_LOG, and rethrows what the program raised (RC_ASSERT's
// failures included), which fails the property. Returns the run. `name`: the program's
// name in the trace (default: the gtest test's).
template <class F>
auto rc_simulate(F program, const Schedule& schedule, SimulationOptions options = {},
                 const std::string& name = {}) {
  auto run = simulate_choices(program, schedule.choices, options);
  if (!run.outcome.ok()) {
    if (internal::is_failure(run.outcome.exception())) {
      try {
        const std::string program_name = internal::rc_program_name(name);
        const std::string path = internal::rc_trace_path(program_name);
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        save_trace(program, run.decisions, options, path, program_name);
        RC_LOG() << "lockstep: the trace of this run is " << path << "\n";
      } catch (const std::exception& e) {
        RC_LOG() << "lockstep: could not save the trace: " << e.what() << "\n";
      }
    }
    std::rethrow_exception(run.outcome.exception());  // RC_PRE's discards pass through too
  }
  return run;
}

// The same with a schedule drawn here, for properties whose inputs are not generated.
template <class F>
auto rc_simulate(F program, SimulationOptions options = {}, const std::string& name = {}) {
  return rc_simulate(std::move(program), *gen_schedule(), std::move(options), name);
}

}  // namespace lockstep
