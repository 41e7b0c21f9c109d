// Simulation: run a program under a seed and a strategy; get its outcome and every
// decision it made; replay those decisions; check that a seed is deterministic.
//
//   auto program = [] { return my_service_test(); };      // a fresh Coro<T> per run
//   lockstep::SimulationOptions o{.seed = 7};             // faithful by default
//   auto run = lockstep::simulate(program, o);
//   if (!run.outcome.ok()) {
//     auto again = lockstep::replay(program, run.decisions, o);   // the same failure
//   }
//   auto check = lockstep::check_determinism(program, o);        // run, replay, compare
//   if (!check.deterministic) std::puts(check.report.c_str());
//
// A run is a pure function of (program, seed, strategy): the same seed gives the same
// decisions, the same outcome and the same virtual times, with any compiler and -O level.
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/outcome.h"
#include "loop/run.h"
#include "sim/break_at.h"
#include "sim/decision.h"
#include "sim/decision_log.h"
#include "sim/disk/sim_file_system.h"
#include "sim/escape.h"
#include "sim/invariant.h"
#include "sim/net/sim_network.h"
#include "sim/random.h"
#include "sim/sim_decisions.h"
#include "sim/strategy.h"
#include "sim/trace_sink.h"

namespace lockstep {

// What an exception nobody retrieved does to a run: a task that raised and was never
// awaited (asyncio logs "Task exception was never retrieved"), or a failed future never
// asked.
enum class UnretrievedErrors : std::uint8_t {
  kWarn,  // reported to the exception handler only, as asyncio does; the run's outcome stands
  kFail,  // also fails the run: UnretrievedError naming the task and its error (the first)
};

// A run that would have succeeded had an exception that nobody retrieved (see
// UnretrievedErrors::kFail). The message names the task and the error.
class UnretrievedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SimulationOptions {
  std::uint64_t seed = 0;
  StrategyOptions strategy;
  // Budgets of the run (see LoopOptions): a livelock stops with BudgetExceededError.
  std::uint64_t max_steps = 10'000'000;
  Duration max_time = std::chrono::hours(24);
  // Receives errors nobody else can (see LoopOptions). Empty: stderr.
  ExceptionHandler exception_handler;
  // Streams the run's decisions, log lines and loop events as they happen (e.g.
  // replay/'s TraceWriter). Not owned; nullptr: none.
  TraceSink* trace = nullptr;
  // A fault plan's injector (faults/fault_plan.h: make_injector(plan)); null: none.
  std::shared_ptr<FaultInjector> faults;
  // Whether an exception nobody retrieved fails the run. kWarn here, asyncio's own
  // behaviour; LOCKSTEP_TEST sweeps default to kFail (sim/testing/lockstep_test.h).
  UnretrievedErrors unretrieved_errors = UnretrievedErrors::kWarn;
  // Stop in a debugger at this decision, event or log line (sim/break_at.h); nullopt:
  // LOCKSTEP_BREAK_AT's, if set and `break_at_env` (read at the start of every run).
  std::optional<BreakAt> break_at;
  bool break_at_env = true;  // false: ignore LOCKSTEP_BREAK_AT (shrink's many runs do)
  // What a call that bypasses the simulation does (the real clock, randomness, sleep,
  // threads, sockets: sim/escape.h). Detected only in binaries that link
  // //sim/escape:interpose. kWarn here; LOCKSTEP_TEST sweeps default to kFail.
  EscapeMode escapes = EscapeMode::kWarn;
  // Call sites allowed to escape: a frame of the call's backtrace (a function name, or an
  // object file's name for frames without a symbol) containing one of these.
  std::vector<std::string> allow_escapes;
};

template <class T>
struct SimulationResult {
  Outcome<T> outcome = Outcome<T>::from_error(nullptr, false);  // what main returned or raised
  DecisionLog decisions;  // every choice, in order (compact; to_vector() for an editable copy)
  std::optional<Divergence> divergence;  // replay only: where it stopped matching
  bool replay_complete = true;           // replay only: every recorded decision was used
  // Which task took each step, in order (SimDecisions::schedule_digest): a replay that
  // made the same decisions but stepped its tasks in another order differs here.
  std::uint64_t schedule_digest = 0;
  std::uint64_t seed = 0;
  Strategy strategy = Strategy::kFaithful;
  std::uint64_t steps = 0;  // callbacks and task steps run
  TimePoint end_time{};     // the virtual time when the run ended
  // Coverage: how often each lockstep::probe() was reached, each fault point fired.
  std::map<std::string, std::uint64_t, std::less<>> probes;
  std::map<std::string, std::uint64_t, std::less<>> faults_reached;
  std::map<std::string, std::uint64_t, std::less<>> faults_fired;
  std::map<std::uint64_t, std::string> site_names;  // decision site -> "file:line"
  std::vector<Escape> escapes;  // calls that bypassed the simulation, by call site (sim/escape.h)
};

namespace internal {

// The exception handler of a simulated run: the user's (or the default), and under
// UnretrievedErrors::kFail a note of the first unretrieved exception, as an
// UnretrievedError for the run's outcome.
ExceptionHandler simulation_exception_handler(const SimulationOptions& options,
                                              std::exception_ptr& unretrieved);

template <class F>
using program_result_t = typename std::invoke_result_t<F&>::value_type;

template <class F>
SimulationResult<program_result_t<F>> run_simulated(F& program, SimDecisions& decisions,
                                                    const SimulationOptions& options) {
  using T = program_result_t<F>;
  SimulationResult<T> result;
  result.seed = options.seed;
  result.strategy = options.strategy.kind;
  struct CurrentSimulation {
    SimDecisions* previous;
    explicit CurrentSimulation(SimDecisions* d) : previous(current_simulation()) {
      current_simulation() = d;
    }
    ~CurrentSimulation() { current_simulation() = previous; }
  } scope(&decisions);
  // LOCKSTEP_BREAK_AT: a sink between the run and options.trace that counts and stops.
  std::optional<BreakAtSink> breaker;
  if (const std::optional<BreakAt> at = options.break_at       ? options.break_at
                                        : options.break_at_env ? break_at_from_env()
                                                               : std::nullopt) {
    breaker.emplace(*at, options.trace);
    decisions.set_sink(&*breaker);
  }
  VirtualDriver clock;
  RunOptions run_options;
  run_options.decisions = &decisions;
  run_options.driver = &clock;
  run_options.max_steps = options.max_steps;
  run_options.max_time = options.max_time;
  std::exception_ptr unretrieved;  // UnretrievedErrors::kFail: the first one
  run_options.exception_handler = simulation_exception_handler(options, unretrieved);
  run_options.main_task_name = "main";
  run_options.observer = breaker ? static_cast<TraceSink*>(&*breaker) : options.trace;
  internal::EscapeMonitor escapes(options.escapes, options.allow_escapes);
  decisions.set_escapes(&escapes);
  run_options.on_start = [&decisions, &escapes](Loop& loop) {
    decisions.attach(loop);
    escapes.attach(loop, decisions);  // from here to on_finish: escapes are detected
    // Every simulated loop has a network: lockstep::network() works in any simulated
    // test. Nothing is decided until the program uses it.
    loop.set_network(std::make_shared<SimNetwork>(loop, &decisions));
    loop.set_file_system(std::make_shared<SimFileSystem>(loop, &decisions));  // disks too
  };
  run_options.on_finish = [&decisions, &result, &escapes](Loop& loop) {
    result.steps = loop.steps();
    escapes.detach();
    decisions.detach();
  };
  try {
    if constexpr (std::is_void_v<T>) {
      run(program(), std::move(run_options));
      result.outcome = Outcome<T>::from_value();
    } else {
      result.outcome = Outcome<T>::from_value(run(program(), std::move(run_options)));
    }
  } catch (...) {
    result.outcome =
        Outcome<T>::from_error(std::current_exception(), internal::handling_cancelled_error());
  }
  escapes.detach();  // when run() threw before on_finish
  decisions.detach();
  decisions.set_escapes(nullptr);
  result.escapes = escapes.escapes();
  // The run escaped the simulation: whatever it did after that is not a function of its
  // decisions, so the escape is its failure (kFail, kVirtualize).
  if (std::exception_ptr escaped = escapes.failure())
    result.outcome = Outcome<T>::from_error(escaped, false);
  // A check found false as its Invariant went away: main returned, but the run failed.
  if (result.outcome.ok() && decisions.violation())
    result.outcome = Outcome<T>::from_error(
        std::make_exception_ptr(InvariantViolation(*decisions.violation())), false);
  // Main returned, but a task's failure went unseen.
  if (result.outcome.ok() && unretrieved)
    result.outcome = Outcome<T>::from_error(unretrieved, false);
  result.end_time = clock.now();
  if (breaker) {
    decisions.set_sink(options.trace);
    if (!breaker->reached())
      std::fprintf(stderr, "lockstep: %s\n", breaker->not_reached_text().c_str());
  }
  decisions.end_of_run(result.end_time);
  result.divergence = decisions.divergence();
  result.replay_complete = decisions.replay_complete();
  result.schedule_digest = decisions.schedule_digest();
  result.decisions = decisions.take_decisions();
  result.probes = std::move(decisions.probes());
  result.faults_reached = std::move(decisions.faults_reached());
  result.faults_fired = std::move(decisions.faults_fired());
  result.site_names = decisions.site_names();
  return result;
}

}  // namespace internal

// Runs program() (a callable returning a Coro<T>) as main under `options.seed` and
// `options.strategy`, like lockstep::run.
template <class F>
auto simulate(F program, const SimulationOptions& options = {}) {
  SimDecisions decisions = SimDecisions::seeded(options.seed, options.strategy);
  decisions.set_sink(options.trace);
  decisions.set_faults(options.faults);
  return internal::run_simulated(program, decisions, options);
}

// Runs program() again, feeding back `recorded` instead of drawing. The result's
// divergence says where (if anywhere) the program asked for something else.
template <class F>
auto replay(F program, DecisionLog recorded, const SimulationOptions& options = {}) {
  SimDecisions decisions = SimDecisions::replaying(std::move(recorded), options.strategy);
  decisions.set_sink(options.trace);
  decisions.set_faults(options.faults);
  return internal::run_simulated(program, decisions, options);
}

// Runs program() with its decisions taken from `choices` (SimDecisions::from_choices):
// what property-testing generators use to make the schedule part of the input.
template <class F>
auto simulate_choices(F program, std::vector<std::uint64_t> choices,
                      const SimulationOptions& options = {}) {
  SimDecisions decisions =
      SimDecisions::from_choices(std::move(choices), options.seed, options.strategy);
  decisions.set_sink(options.trace);
  decisions.set_faults(options.faults);
  return internal::run_simulated(program, decisions, options);
}

struct DeterminismReport {
  bool deterministic = true;
  std::string report;  // what differed first, for a person; empty if deterministic
};

template <class T>
DeterminismReport compare_replay(const SimulationResult<T>& first,
                                 const SimulationResult<T>& second);

// Runs `options.seed` once, then replays it: any divergence, a different outcome, end
// time or step count means the program depends on something outside its decisions (a
// real clock, an address, hash order, leftover global state).
template <class F>
DeterminismReport check_determinism(F program, const SimulationOptions& options = {}) {
  auto first = simulate(program, options);
  auto second = replay(program, first.decisions, options);
  return compare_replay(first, second);
}

// check_determinism's verdict on a run and the replay of its decisions.
template <class T>
DeterminismReport compare_replay(const SimulationResult<T>& first,
                                 const SimulationResult<T>& second) {
  DeterminismReport r;
  auto differ = [&r](std::string what) {
    r.deterministic = false;
    r.report = "seed is not deterministic: " + std::move(what);
  };
  if (second.divergence) {
    differ(second.divergence->report());
  } else if (!second.replay_complete) {
    differ("the replay made " + std::to_string(second.decisions.size()) + " decisions, the run " +
           std::to_string(first.decisions.size()));
  } else if (first.outcome.ok() != second.outcome.ok() ||
             describe_exception(first.outcome.exception()) !=
                 describe_exception(second.outcome.exception())) {
    differ(
        "the outcome differs: " +
        (first.outcome.ok() ? std::string("ok") : describe_exception(first.outcome.exception())) +
        " vs " +
        (second.outcome.ok() ? std::string("ok") : describe_exception(second.outcome.exception())));
  } else if (first.end_time != second.end_time || first.steps != second.steps) {
    differ("the run ended at t=" + std::to_string(to_seconds(first.end_time)) +
           "s, the replay at t=" + std::to_string(to_seconds(second.end_time)) + "s");
  } else if (first.schedule_digest != second.schedule_digest) {
    differ("the replay made the same decisions but its tasks took their steps in another order");
  }
  return r;
}

// The outcome of running a range of seeds.
struct SeedSweep {
  std::uint64_t runs = 0;
  std::vector<std::uint64_t> failing_seeds;  // in order
};

// Runs seeds first, first+1, ..., first+count-1 (all of them, or up to the first failure
// with `stop_at_first_failure`). `on_run(result)` sees every run, e.g. to report
// progress or save the trace of a failure.
template <class F, class OnRun>
SeedSweep simulate_seeds(F program, std::uint64_t first, std::uint64_t count,
                         SimulationOptions options, OnRun on_run,
                         bool stop_at_first_failure = false) {
  SeedSweep sweep;
  for (std::uint64_t i = 0; i < count; ++i) {
    options.seed = first + i;
    auto result = simulate(program, options);
    ++sweep.runs;
    on_run(result);
    if (!result.outcome.ok()) {
      sweep.failing_seeds.push_back(options.seed);
      if (stop_at_first_failure) break;
    }
  }
  return sweep;
}

}  // namespace lockstep
