// SimDecisions: the decision source of a simulated run. It makes every choice the
// strategy asks for, from a seeded SplitMix64 or from a recorded stream, and records
// each one as a Decision.
//
//   lockstep::SimDecisions d = lockstep::SimDecisions::seeded(42, {});
//   lockstep::Loop loop({.decisions = &d});  d.attach(loop);
//   ... run ...
//   d.decisions();                             // what was chosen, in order
//
//   auto r = lockstep::SimDecisions::replaying(recorded, {});   // feeds them back
//   ... run ...
//   if (r.divergence()) std::puts(r.divergence()->report().c_str());
//
// Replay checks, at every decision, that the program asks for the same kind of choice at
// the same site with the same bound as the recording did. At the first mismatch it notes
// a Divergence and stops the loop; from then on every choice is the default. It never
// throws into the program under test.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loop/decision_source.h"
#include "loop/loop.h"
#include "loop/source_location.h"
#include "sim/decision.h"
#include "sim/decision_log.h"
#include "sim/fault_injector.h"
#include "sim/invariant.h"
#include "sim/latency.h"
#include "sim/prng.h"
#include "sim/strategy.h"
#include "sim/trace_sink.h"

namespace lockstep {

namespace internal {
class EscapeMonitor;
}

// Where a replay stopped matching its recording.
struct Divergence {
  std::size_t index = 0;             // the decision's number in the stream, from 0
  std::optional<Decision> recorded;  // what the recording has there (none: it ended)
  Decision requested;                // what the program asked for (value unset)
  bool run_ended = false;            // the run ended with `recorded` still unclaimed
  // Set when the replay did not diverge at a decision (the decisions matched, the order
  // of steps did not): what differed, for the report.
  std::string what;
  std::vector<Decision> recent;  // the decisions just before, oldest first
  // Filled by replay from a trace file: the recording's last lines (decisions, log lines,
  // task events) before this point, oldest first, as `lockstep show` prints them.
  std::vector<std::string> recorded_context;
  // Names of the decision sites known by then ("pool.cc:41"), for the report.
  std::map<std::uint64_t, std::string> site_names;
  // A report for a person: the step, recorded vs requested, time, task, context.
  std::string report() const;
};

class SimDecisions final : public DecisionSource {
 public:
  // Choices drawn from SplitMix64(seed).
  static SimDecisions seeded(std::uint64_t seed, StrategyOptions strategy) {
    return SimDecisions(strategy, seed, {}, false);
  }
  // Choices read back from `recorded`; a mismatch is a divergence.
  static SimDecisions replaying(DecisionLog recorded, StrategyOptions strategy) {
    return SimDecisions(strategy, 0, std::move(recorded), true);
  }
  // Choices read back from `recorded` where they fit, the default (0) where they do not.
  // Matched by (kind, site), not by position: the n-th request of a kind at a site (the
  // n-th await of a task, the n-th draw at a call site) takes the n-th recorded decision
  // of that kind and site, and the sparse kinds (a task's n-th step, the run's n-th timer)
  // the recorded decision with that ordinal, if its bound matches and its value is in
  // range; anything else takes 0. Never diverges. What the shrinker runs candidates
  // with: an edit that shifts the interleaving still leaves each task its own choices.
  static SimDecisions replaying_leniently(std::vector<Decision> recorded, StrategyOptions strategy);
  // Choices taken from `choices` in order, whatever their kind: the i-th request's value
  // is choices[i] brought into range (modulo its bound), 0 once they run out. Every step
  // and every timer is a request and takes a choice, though only those not 0 become
  // decisions (is_sparse). For test
  // generators that make the schedule a value (sim/testing/rapidcheck.h): shrinking the values
  // toward 0 shrinks the run toward plain asyncio. The strategy still says which choices
  // are decisions and bounds them, but none is drawn: no probability applies, pct's
  // priorities included. `seed` only seeds the generator that stays unused.
  static SimDecisions from_choices(std::vector<std::uint64_t> choices, std::uint64_t seed,
                                   StrategyOptions strategy);

  // Decisions for fault points and fault plans, recorded like every other, drawn from
  // the fault stream: true with `probability` (a decision in [0, 2)), or uniform in
  // [0, bound).
  bool choose_chance(DecisionKind kind, std::uint64_t site, double probability);
  std::uint64_t choose_below(DecisionKind kind, std::uint64_t site, std::uint64_t bound);
  // ... or in [0, bound) as draw(fault stream) says (clamped into range).
  std::uint64_t choose_drawn(DecisionKind kind, std::uint64_t site, std::uint64_t bound,
                             const std::function<std::uint64_t(SplitMix64&)>& draw);
  // ... or a duration (a kind whose is_duration() holds) in [0, max]: with `probability`
  // uniform in [1ns, max], else 0.
  Duration choose_duration(DecisionKind kind, std::uint64_t site, Duration max, double probability);

  // Coverage of a run, by name ("file:line" for fault sites): how often each
  // lockstep::probe() was reached, each fault site reached and fired.
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;
  Counts& probes() noexcept { return probes_; }
  Counts& faults_reached() noexcept { return faults_reached_; }
  Counts& faults_fired() noexcept { return faults_fired_; }
  // Fault sites this run has decided on (site -> enabled for the run).
  std::map<std::uint64_t, bool>& fault_sites() noexcept { return fault_sites_; }
  // The decision site of a source location (internal::site_of), named on first sight.
  // Cached by (file pointer, line): hashing the path on every random() call is the
  // largest cost of a draw.
  std::uint64_t site_for(const SourceLocation& where);
  // Names decision sites for people ("pool.cc:41"): kept, and passed to the trace sink
  // the first time a site is named.
  void name_site(std::uint64_t site, std::string_view name);
  const std::map<std::uint64_t, std::string>& site_names() const noexcept { return site_names_; }

  // The loop whose time and current task decisions are stamped with; the loop is
  // stopped when a replay diverges.
  void attach(Loop& loop) noexcept { loop_ = &loop; }
  void detach() noexcept { loop_ = nullptr; }
  // A fault plan's injector, asked at awaits, timers and executor jobs. Shared: plans
  // are values that many runs use. Set before the loop starts.
  void set_faults(std::shared_ptr<FaultInjector> faults) noexcept { faults_ = std::move(faults); }
  FaultInjector* faults() const noexcept { return faults_.get(); }
  // Streams every decision (and lockstep::log line) to `sink` as it is made. Not owned.
  void set_sink(TraceSink* sink) noexcept { sink_ = sink; }
  TraceSink* sink() const noexcept { return sink_; }
  // The loop's time and the current task's id, for stamping records.
  TimePoint now() const noexcept { return loop_ ? loop_->global_time() : TimePoint{}; }
  std::uint64_t current_task_id() const noexcept;

  const DecisionLog& decisions() const noexcept { return made_; }
  DecisionLog take_decisions() noexcept { return std::move(made_); }
  const std::optional<Divergence>& divergence() const noexcept { return divergence_; }
  // Replay only: true iff the program consumed every recorded decision.
  bool replay_complete() const noexcept { return !replaying_ || next_ == recorded_.size(); }
  // Called when the run has ended, at `end`: a strict replay that left a recorded decision
  // unclaimed diverged there (steps that cost nothing are no decisions, so a replay that
  // went another way may only show it by what it never asked for).
  void end_of_run(TimePoint end);
  // Which task took each step, in order, as one number (FNV-1a over the steps' task ids):
  // equal for a run and its faithful replay.
  std::uint64_t schedule_digest() const noexcept { return schedule_digest_; }
  const StrategyOptions& strategy() const noexcept { return strategy_; }

  // lockstep::random_below() under this simulation: a decision of kind kRandom.
  std::uint64_t random_below(std::uint64_t bound, std::uint64_t site);

  // The simulated network (sim/net/): how long one message on link `site` takes: the
  // strategy's net_latency plus a decided extra (kind net_delay; none under fifo).
  Duration net_delay(std::uint64_t site);
  // A message's latency on link `site` whose latency the test set (set_link_latency):
  // latency.min() plus a decided extra drawn from its shape (kind net_delay, bound
  // max - min, so shrinking moves it toward min); min under fifo.
  Duration link_latency(std::uint64_t site, const Latency& latency);
  // Among `n` network deliveries due together, the index of the one to enter the ready
  // queue next (kind completion_order, like other simultaneous completions); 0 under fifo.
  std::size_t pick_arrival(std::size_t n);
  // The next timer the loop arms is the network's own delivery timer: its lateness is the
  // messages' net_delay, so timer_delay() gives it none and decides nothing. Set just
  // around Loop::call_at.
  void set_exact_timer(bool exact) noexcept { exact_timer_ = exact; }

  // DecisionSource
  Perturbs perturbs() const override;
  Duration step_cost(const StepInfo& step) override;
  Duration end_step(const StepInfo& step) override;
  Duration timer_delay(Duration delay) override;
  std::size_t pick_due_timer(std::size_t n) override;
  std::size_t pick_completion(std::size_t n) override;
  std::size_t pick_ready(std::size_t n) override;
  bool wants_ready_ids() const override { return strategy_.kind == Strategy::kPct; }
  std::size_t pick_ready(const std::vector<std::uint64_t>& task_ids) override;
  Duration job_duration(std::uint64_t job) override;
  AwaitVerdict at_await(const AwaitInfo& await) override;
  bool at_wake(const AwaitInfo& wake) override;
  void after_step(const StepInfo& step) override;
  std::exception_ptr job_error(std::uint64_t job) override;

  // Invariants (sim/invariant.h) of the running program.
  void add_invariant(Invariant* check) { invariants_.push_back(check); }
  void remove_invariant(Invariant* check) noexcept;
  void replace_invariant(Invariant* from, Invariant* to) noexcept;
  // A check found false outside a step (when its Invariant was destroyed): the run fails
  // with it unless it failed already. The first one is kept.
  void note_violation(const Invariant& check, const char* when) noexcept;
  const std::optional<std::string>& violation() const noexcept { return violation_; }
  // The run's escape monitor (sim/escape.h), checked after every step: an escape under
  // EscapeMode::kFail ends the run there. Not owned; nullptr: none.
  void set_escapes(internal::EscapeMonitor* escapes) noexcept { escapes_ = escapes; }

 private:
  SimDecisions(StrategyOptions strategy, std::uint64_t seed, DecisionLog recorded, bool replaying)
      : strategy_(strategy),
        step_cost_bound_(duration_bound(DecisionKind::kStepCost, strategy)),
        timer_delay_bound_(duration_bound(DecisionKind::kTimerDelay, strategy)),
        draws_step_costs_(!replaying && strategy.max_step_cost > Duration::zero()),
        rng_(seed),
        fault_rng_(seed ^ 0x6661756c74730000ull),  // "faults": a stream of its own
        recorded_(std::move(recorded)),
        replaying_(replaying) {}

  // The core: one decision of `kind` at `site` in [0, bound] (durations) or [0, bound)
  // (indices), drawn by `draw` unless replaying.
  template <class Draw>
  std::uint64_t decide(DecisionKind kind, std::uint64_t site, std::uint64_t bound, Draw draw);
  // decide() for a duration: the bound is the strategy's maximum for `kind`.
  template <class Draw>
  Duration decide_duration(DecisionKind kind, std::uint64_t site, Draw draw);
  void diverge(Decision requested);
  [[gnu::noinline]] void check_invariants();  // after_step's rare part
  // step_cost()'s work once the step is counted, its chance drawn from rng_.scaled(100)
  // if draws_step_costs_.
  Duration cost_of_step(const StepInfo& step, SplitMix64::Scaled chance);
  // end_step() but for its usual case.
  [[gnu::noinline]] Duration finish_step(const StepInfo& step, SplitMix64::Scaled chance);
  // after_step()'s bookkeeping: the step goes into the schedule digest.
  void count_step(const StepInfo& step) noexcept {
    ++steps_seen_;
    schedule_digest_ = (schedule_digest_ ^ step.task_id) * 0x100000001b3ull;
  }
  std::uint64_t draw_duration(std::uint32_t percent, Duration max);
  // A decision of a sparse kind (is_sparse: a step's cost, a timer's lateness) that is not
  // 0, recorded and streamed.
  [[gnu::noinline]] void record_sparse(DecisionKind kind, std::uint64_t site, std::uint64_t task,
                                       std::uint64_t ordinal, std::uint64_t value);
  // The value of request `ordinal` of a sparse kind at `site` when it is not drawn:
  // replayed (strictly or leniently) or taken from the choices.
  [[gnu::noinline]] std::uint64_t given_sparse(DecisionKind kind, std::uint64_t site,
                                               std::uint64_t task, std::uint64_t ordinal,
                                               std::uint64_t bound);

  StrategyOptions strategy_;
  std::uint64_t step_cost_bound_;    // duration_bound(kStepCost, strategy_): asked every step
  std::uint64_t timer_delay_bound_;  // ... (kTimerDelay, ...): asked for every timer
  // A step's cost is drawn (seeded, not from choices or a recording; a cost can be had).
  // Cleared by replaying_leniently and from_choices.
  bool draws_step_costs_;
  SplitMix64 rng_;
  // Faults and injected cancellations draw from their own stream, so turning them on (or
  // adding a fault point) leaves every other decision of the seed as it was: a plan that
  // never fires gives the run of no plan.
  SplitMix64 fault_rng_;
  DecisionLog recorded_;
  bool replaying_;
  // recorded_[next_], decoded in order; set at the first decision (an iterator refers to
  // its log, and a SimDecisions may be moved before it runs).
  std::optional<DecisionLog::const_iterator> next_recorded_;
  const Decision* recorded_next();
  std::size_t next_ = 0;
  DecisionLog made_;
  std::optional<Divergence> divergence_;
  Loop* loop_ = nullptr;
  TraceSink* sink_ = nullptr;

  // pct: priorities by task id (drawn on first sight; not decisions, since a replay
  // reads the chosen indices back), the remaining change points (choice numbers,
  // ascending), and how many ready choices were made.
  std::string violation_message(const Invariant& check, const std::string& when) const;

  std::shared_ptr<FaultInjector> faults_;
  bool lenient_ = false;
  std::vector<Invariant*> invariants_;          // registration order
  internal::EscapeMonitor* escapes_ = nullptr;  // see set_escapes
  std::optional<std::string> violation_;
  std::uint64_t steps_seen_ = 0;
  std::uint64_t callback_steps_ = 0;  // steps of plain callbacks: their step costs' ordinals
  std::uint64_t timers_ = 0;          // timers asked about: their delays' ordinals
  std::uint64_t schedule_digest_ = 0xcbf29ce484222325ull;  // see schedule_digest()
  struct KeyedChoices {
    std::vector<Decision> recorded;  // in stream order
    std::size_t next = 0;
  };
  std::map<std::pair<DecisionKind, std::uint64_t>, KeyedChoices> keyed_;  // lenient only
  std::optional<std::vector<std::uint64_t>> choices_;                     // from_choices only
  std::uint64_t awaits_considered_ = 0;  // cancellation fuzzing: targeted awaits so far
  Counts probes_;
  Counts faults_reached_;
  Counts faults_fired_;
  std::map<std::uint64_t, bool> fault_sites_;
  std::map<std::uint64_t, std::string> site_names_;
  struct SiteCacheEntry {
    const char* file = nullptr;
    unsigned line = 0;
    std::uint64_t site = 0;
  };
  std::array<SiteCacheEntry, 64> site_cache_{};
  std::map<std::uint64_t, std::int64_t> pct_priority_;
  std::vector<std::uint64_t> pct_change_points_;
  std::uint64_t pct_choices_ = 0;
  bool pct_started_ = false;
  bool exact_timer_ = false;  // see set_exact_timer
};

}  // namespace lockstep
