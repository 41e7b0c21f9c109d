// Shrinking: from a failing run, the smallest run that still fails the same way.
//
//   auto failing = lockstep::simulate(program, options);          // fails
//   auto small = lockstep::shrink(program, failing.decisions, options);
//   std::puts(small.summary.c_str());
//   // fails with 1 non-default decision (from 37): a cancel injected into 'worker-2' at
//   // its 2nd await (t=0.012000s, awaiting Lock.acquire())
//   auto again = lockstep::replay(program, small.run.decisions, options);  // same failure
//
// Every decision's value 0 is plain asyncio (no extra time, FIFO order, no fault, no
// cancel), so a run is "small" when few of its decisions are not 0 and those are small.
// The shrinker replays edited decision streams leniently (a decision that no longer fits
// takes 0; missing ones too), so every candidate is a valid run, and keeps a candidate
// when it fails the same way (by default: the same exception type and message) with
// fewer non-default decisions, or as many with smaller values. In that order: faults and
// cancellations are dropped first, then groups (every decision of a kind, or of a kind at
// one site: "all step costs", "the draws at pool.cc:41"), then any decisions (delta
// debugging over the non-default ones, halving chunk sizes), then each remaining value
// is lowered. Rounds repeat until one changes nothing or the budget runs out. The count
// of non-default decisions never grows.
//
// Some failing runs hardly shrink (a race that any change of timing undoes); another
// failing seed of the same bug often does. shrink_best() takes several failing runs and
// keeps the smallest:
//   auto small = lockstep::shrink_best(program, {run_a.decisions, run_b.decisions}, options);
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "sim/simulation.h"

namespace lockstep {

struct ShrinkProgress {
  std::uint64_t runs = 0;       // candidates run so far
  std::size_t non_default = 0;  // non-default decisions of the smallest failing run yet
  std::size_t accepted = 0;     // candidates kept
  std::size_t original_non_default = 0;
};

struct ShrinkOptions {
  std::uint64_t max_runs = 2000;
  std::chrono::steady_clock::duration max_time = std::chrono::minutes(2);  // wall clock
  // Whether a candidate's failure (describe_exception text) is the original's. Default:
  // the same first line once every number in it is masked (internal::failure_signature),
  // so "deadlock at t=0.019s" and "deadlock at t=0.004s" are one failure, whatever the
  // details on the lines below.
  std::function<bool(const std::string& original, const std::string& candidate)> same_failure;
  // Called after each candidate run (e.g. to print a progress line).
  std::function<void(const ShrinkProgress&)> on_progress;
};

template <class T>
struct ShrinkResult {
  bool failed = false;      // the given stream failed at all (else nothing to shrink)
  std::string failure;      // what it raised, "Type: message"
  SimulationResult<T> run;  // the smallest failing run; run.decisions is its stream
  std::size_t non_default_before = 0;
  std::size_t non_default_after = 0;
  std::uint64_t runs = 0;  // candidates run
  bool budget_exhausted = false;
  std::string summary;     // for a person, one line per remaining decision
  std::size_t chosen = 0;  // shrink_best: which of the failing runs this one comes from
};

namespace internal {
// The first line of `failure`, every run of digits replaced by '#': "overdraft: balance is
// -60" -> "overdraft: balance is -#".
std::string failure_signature(const std::string& failure);
}  // namespace internal

// The decisions whose value is not the asyncio default.
std::size_t count_non_default(const std::vector<Decision>& decisions) noexcept;

namespace internal {

// Lexicographic size of a run's stream: non-default decisions, then the bits of their
// values, then how late they come (the sum of their positions), then its length. A
// candidate is kept only if smaller.
struct StreamSize {
  std::size_t non_default = 0;
  std::uint64_t value_bits = 0;
  std::uint64_t positions = 0;
  std::size_t length = 0;
  friend auto operator<=>(const StreamSize&, const StreamSize&) = default;
};
StreamSize stream_size(const std::vector<Decision>& decisions) noexcept;

// Watches the final run for the summary: task names, injected cancels' texts.
class ShrinkWitness final : public TraceSink {
 public:
  void on_decision(const Decision&) override {}
  void on_log(TimePoint, std::uint64_t, std::string_view) override {}
  void on_event(const LoopEvent& e) noexcept override;
  std::map<std::uint64_t, std::string> task_names;
  // What cancellation fuzzing did at each task's awaits, in order: the structure it
  // cancelled ("gather", ...; "" for the task or its timeout) and what the await awaited.
  struct Injected {
    std::string structure;
    std::string awaited;
  };
  std::map<std::uint64_t, std::vector<Injected>> injected;
};

// "fails with N non-default decisions (from M): ..." for the final run. `target`: what
// the run's cancel decisions aim at (see injected_cancel()).
std::string shrink_summary(const std::vector<Decision>& decisions, std::size_t before,
                           const std::string& failure, const ShrinkWitness& witness,
                           const std::map<std::uint64_t, std::string>& site_names,
                           CancellationFuzzing::Target target = CancellationFuzzing::Target::kTask);

// Where a candidate stands in a round: (phase, a rank within it, a position). After a
// candidate is kept the round goes on from its key, as delta debugging does, instead of
// starting over at the largest chunks.
struct RemovalKey {
  int phase = 0;
  std::uint64_t rank = 0;
  std::uint64_t position = 0;
  friend bool operator<(const RemovalKey& a, const RemovalKey& b) {
    return std::tie(a.phase, a.rank, a.position) < std::tie(b.phase, b.rank, b.position);
  }
};
struct RemovalCandidate {
  RemovalKey key;
  std::vector<std::size_t> indices;  // into the stream: the decisions to set to 0
};

// The candidate edits of a round from `from` on, in order: the fault and cancel decisions
// (together, then each alone); groups (all decisions of a kind, of a kind at one site);
// then delta debugging over all non-default decisions in chunks of halving size.
std::vector<RemovalCandidate> removal_candidates(const std::vector<Decision>& decisions,
                                                 const RemovalKey& from = {});

}  // namespace internal

namespace internal {

// shrink()'s body. `non_default_before`: what the summary says the run started from (0:
// this stream's count; shrink_best passes the original run's when it shrinks on).
// `summarize`: false skips the summary (and the run it takes).
template <class F>
auto shrink_stream(F& program, std::vector<Decision> failing, SimulationOptions options,
                   const ShrinkOptions& shrink_options, std::size_t non_default_before,
                   bool summarize = true) {
  using T = internal::program_result_t<F>;
  ShrinkResult<T> result;
  const auto started = std::chrono::steady_clock::now();
  options.trace = nullptr;
  // Hundreds of runs, none of them the one the user replays: LOCKSTEP_BREAK_AT would
  // stop in each.
  options.break_at.reset();
  options.break_at_env = false;
  auto run_stream = [&](const std::vector<Decision>& stream, TraceSink* sink = nullptr) {
    SimDecisions d = SimDecisions::replaying_leniently(stream, options.strategy);
    d.set_sink(sink);
    d.set_faults(options.faults);
    SimulationOptions o = options;
    o.trace = sink;
    return internal::run_simulated(program, d, o);
  };
  auto failure_of = [](const SimulationResult<T>& r) {
    return r.outcome.ok() ? std::string() : describe_exception(r.outcome.exception());
  };

  result.run = run_stream(failing);
  ++result.runs;
  result.failed = !result.run.outcome.ok();
  result.failure = failure_of(result.run);
  result.non_default_before =
      non_default_before ? non_default_before : count_non_default(result.run.decisions);
  if (!result.failed) {
    result.summary = "the run does not fail: nothing to shrink";
    return result;
  }
  auto same = [&](const std::string& candidate) {
    return shrink_options.same_failure ? shrink_options.same_failure(result.failure, candidate)
                                       : internal::failure_signature(candidate) ==
                                             internal::failure_signature(result.failure);
  };
  ShrinkProgress progress;
  progress.original_non_default = result.non_default_before;
  auto out_of_budget = [&] {
    return result.runs >= shrink_options.max_runs ||
           std::chrono::steady_clock::now() - started >= shrink_options.max_time;
  };
  // Runs `candidate`; keeps it if it fails the same way and is smaller.
  auto try_candidate = [&](const std::vector<Decision>& candidate) {
    auto r = run_stream(candidate);
    ++result.runs;
    bool kept = false;
    if (!r.outcome.ok() && same(failure_of(r)) &&
        internal::stream_size(r.decisions) < internal::stream_size(result.run.decisions)) {
      result.run = std::move(r);
      ++progress.accepted;
      kept = true;
    }
    progress.runs = result.runs;
    progress.non_default = count_non_default(result.run.decisions);
    if (shrink_options.on_progress) shrink_options.on_progress(progress);
    return kept;
  };

  for (bool changed = true; changed && !out_of_budget();) {
    changed = false;
    // Removals: set sets of non-default decisions to 0. A kept candidate changes the
    // stream, so the candidates are made again, from the kept one's key on.
    internal::RemovalKey from;
    for (bool kept = true; kept && !out_of_budget();) {
      kept = false;
      for (const auto& c : internal::removal_candidates(result.run.decisions, from)) {
        if (out_of_budget()) break;
        std::vector<Decision> candidate = result.run.decisions;
        bool any = false;
        for (std::size_t i : c.indices)
          if (i < candidate.size() && candidate[i].value != 0) {
            candidate[i].value = 0;
            any = true;
          }
        if (any && try_candidate(candidate)) {
          kept = changed = true;
          from = c.key;
          break;
        }
      }
    }
    if (changed) continue;
    // Moving: an injected cancel or fault firing to an earlier await or reach of the same
    // task or site (the earliest that still fails), which often lets others go.
    for (std::size_t i = 0; i < result.run.decisions.size() && !changed && !out_of_budget(); ++i) {
      const Decision& d = result.run.decisions[i];
      if (d.value == 0 || (!is_cancel(d.kind) && d.kind != DecisionKind::kFault)) continue;
      for (std::size_t j = 0; j < i && !out_of_budget(); ++j) {
        const Decision& e = result.run.decisions[j];
        if (e.kind != d.kind || e.site != d.site || e.value != 0) continue;
        std::vector<Decision> candidate = result.run.decisions;
        candidate[j].value = d.value;
        candidate[i].value = 0;
        if (try_candidate(candidate)) {
          changed = true;
          break;
        }
      }
    }
    if (changed) continue;
    // Lowering: halve each remaining value while the run still fails the same way.
    for (std::size_t i = 0; i < result.run.decisions.size() && !out_of_budget(); ++i) {
      while (!out_of_budget() && i < result.run.decisions.size() &&
             result.run.decisions[i].value > 1) {
        std::vector<Decision> candidate = result.run.decisions;
        candidate[i].value /= 2;
        if (!try_candidate(candidate)) break;
        changed = true;
      }
    }
  }
  result.budget_exhausted = out_of_budget();
  result.non_default_after = count_non_default(result.run.decisions);

  if (!summarize) return result;
  // The final run once more, watched, for a summary in the program's own terms.
  internal::ShrinkWitness witness;
  auto watched = run_stream(result.run.decisions, &witness);
  result.summary = internal::shrink_summary(result.run.decisions, result.non_default_before,
                                            failure_of(result.run), witness, watched.site_names,
                                            options.strategy.cancellation.target);
  return result;
}

}  // namespace internal

template <class F>
auto shrink(F program, std::vector<Decision> failing, SimulationOptions options,
            ShrinkOptions shrink_options = {}) {
  return internal::shrink_stream(program, std::move(failing), std::move(options), shrink_options,
                                 0);
}

// Several failing runs of one bug (say the first failing seeds of a sweep): each is replayed
// once, those that fail as the first failing one does (ShrinkOptions::same_failure) are
// shrunk with a share of the budget (half of it, split evenly), then the smallest result
// is shrunk on with what is left. Failing runs of one bug differ widely in how far they
// shrink: a crash on a fault tick can come down to a handful of decisions where a race
// between two timers keeps hundreds (examples/kv, ack-before-fsync, eight seeds at 500
// runs each: 5 and 25 decisions for two, 176 to 409 for the others). `chosen` says which
// run the result comes from. Throws std::invalid_argument if `failing` is empty.
template <class F>
auto shrink_best(F program, const std::vector<std::vector<Decision>>& failing,
                 SimulationOptions options, ShrinkOptions shrink_options = {}) {
  using T = internal::program_result_t<F>;
  if (failing.empty()) throw std::invalid_argument("lockstep: shrink_best: no failing run given");
  if (failing.size() == 1) return shrink(std::move(program), failing[0], options, shrink_options);
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t runs = 0;
  auto none_fails = [&runs] {
    ShrinkResult<T> none;
    none.runs = runs;
    none.summary = "none of the runs fails: nothing to shrink";
    return none;
  };
  auto with_offset = [&](std::uint64_t offset) -> std::function<void(const ShrinkProgress&)> {
    if (!shrink_options.on_progress) return {};
    return [&shrink_options, offset](ShrinkProgress p) {
      p.runs += offset;
      shrink_options.on_progress(p);
    };
  };
  // Which runs fail, and fail as the first failing one does: one replay each.
  std::vector<std::size_t> same;
  std::string first_failure;
  for (std::size_t i = 0; i < failing.size(); ++i) {
    ShrinkOptions once = shrink_options;
    once.max_runs = 1;
    once.on_progress = with_offset(runs);
    ShrinkResult<T> r = internal::shrink_stream(program, failing[i], options, once, 0, false);
    runs += r.runs;
    if (!r.failed) continue;
    if (first_failure.empty()) {
      first_failure = r.failure;
    } else if (shrink_options.same_failure ? !shrink_options.same_failure(first_failure, r.failure)
                                           : internal::failure_signature(r.failure) !=
                                                 internal::failure_signature(first_failure)) {
      continue;
    }
    same.push_back(i);
  }
  if (same.empty()) {
    return none_fails();
  }
  if (same.size() == 1) {
    ShrinkOptions rest = shrink_options;
    rest.max_runs = shrink_options.max_runs > runs ? shrink_options.max_runs - runs : 1;
    rest.on_progress = with_offset(runs);
    ShrinkResult<T> r = internal::shrink_stream(program, failing[same[0]], options, rest, 0);
    r.runs += runs;
    r.chosen = same[0];
    return r;
  }
  // Each a share, then the smallest on.
  ShrinkOptions part = shrink_options;
  part.max_runs = std::max<std::uint64_t>(1, shrink_options.max_runs / (2 * same.size()));
  part.max_time = shrink_options.max_time / static_cast<int>(2 * same.size());
  std::optional<ShrinkResult<T>> best;
  for (std::size_t i : same) {
    ShrinkOptions mine = part;
    mine.on_progress = with_offset(runs);
    ShrinkResult<T> r = internal::shrink_stream(program, failing[i], options, mine, 0, false);
    runs += r.runs;
    if (!r.failed) continue;
    r.chosen = i;
    if (!best ||
        internal::stream_size(r.run.decisions) < internal::stream_size(best->run.decisions))
      best = std::move(r);
  }
  if (!best) {  // cannot happen: each replayed failing above
    return none_fails();
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ShrinkOptions rest = shrink_options;
  const bool spent = runs >= shrink_options.max_runs || elapsed >= shrink_options.max_time;
  // Out of budget: one run more, for the summary.
  rest.max_runs = spent ? 1 : shrink_options.max_runs - runs;
  rest.max_time =
      spent ? std::chrono::steady_clock::duration::zero() : shrink_options.max_time - elapsed;
  rest.on_progress = with_offset(runs);
  ShrinkResult<T> on = internal::shrink_stream(program, best->run.decisions, options, rest,
                                               best->non_default_before);
  on.runs += runs;
  on.chosen = best->chosen;
  on.budget_exhausted = on.budget_exhausted || spent;
  return on;
}

}  // namespace lockstep
