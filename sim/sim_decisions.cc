#include "sim/sim_decisions.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "loop/internal/task_base.h"
#include "sim/escape.h"
#include "sim/random.h"

namespace lockstep {

namespace {
constexpr std::size_t kRecentContext = 8;  // decisions shown before a divergence
}  // namespace

std::uint64_t SimDecisions::current_task_id() const noexcept {
  return loop_ && loop_->current_task() ? loop_->current_task()->id() : 0;
}

std::string Divergence::report() const {
  if (!what.empty()) {
    std::string s = "replay diverged after decision #" + std::to_string(index) + ": " + what + "\n";
    for (const std::string& line : recorded_context) s += "    " + line + "\n";
    return s;
  }
  std::string s = "replay diverged at decision #" + std::to_string(index) + ":\n";
  s += "  recorded:  " +
       (recorded ? describe(*recorded, site_names) : std::string("(the recording ends here)")) +
       "\n";
  if (run_ended)
    s += "  requested: nothing: the run ended first, at t=" +
         std::to_string(to_seconds(requested.time)) + "s\n";
  else
    s += "  requested: " + std::string(to_string(requested.kind)) +
         " site=" + site_text(requested.site, site_names) +
         " bound=" + std::to_string(requested.bound) + ordinal_text(requested) +
         " at t=" + std::to_string(to_seconds(requested.time)) + "s in task " +
         std::to_string(requested.task) + "\n";
  if (!recorded_context.empty()) {
    s += "  the recording just before it:\n";
    for (const std::string& line : recorded_context) s += "    " + line + "\n";
  } else if (!recent.empty()) {
    s += "  the decisions before it:\n";
    for (const Decision& d : recent) s += "    " + describe(d, site_names) + "\n";
  }
  return s;
}

DecisionSource::Perturbs SimDecisions::perturbs() const {
  // What every strategy shares: fault plans and cancellation fuzzing, invariant checks.
  const CancellationFuzzing& c = strategy_.cancellation;
  const bool cancels = c.mode != CancellationFuzzing::Mode::kOff;
  Perturbs p{.await_points = (cancels && c.at != CancellationFuzzing::Point::kWake) ||
                             (faults_ && faults_->acts_at_awaits()),
             .after_step = true,
             .job_errors = faults_ && faults_->acts_on_jobs(),
             .wake_points = cancels && c.at != CancellationFuzzing::Point::kSuspend &&
                            (c.target == CancellationFuzzing::Target::kTask ||
                             c.target == CancellationFuzzing::Target::kAny)};
  // fifo is plain asyncio, except that a fault plan's delays still apply to timers and
  // jobs; the others decide timing, and random and pct the ready order too.
  const bool timing = strategy_.kind != Strategy::kFifo;
  p.step_cost = p.due_timer_order = p.completion_order = timing;
  p.timer_delay = p.job_duration = timing || faults_ != nullptr;
  p.ready_order = strategy_.kind == Strategy::kRandom || strategy_.kind == Strategy::kPct;
  p.after_step_in_end_step = true;
  return p;
}

template <class Draw>
std::uint64_t SimDecisions::decide(DecisionKind kind, std::uint64_t site, std::uint64_t bound,
                                   Draw draw) {
  if (divergence_) return 0;  // diverged: defaults until the loop stops
  Decision d{kind, site, bound, 0, now(), current_task_id()};
  if (lenient_) {
    // By (kind, site): see replaying_leniently.
    auto it = keyed_.find({kind, site});
    if (it != keyed_.end() && it->second.next < it->second.recorded.size()) {
      const Decision* r = &it->second.recorded[it->second.next++];
      const bool in_range =
          is_duration(kind) ? r->value <= bound : r->value < std::max<std::uint64_t>(bound, 1);
      if (r->bound == bound && in_range) d.value = r->value;
    }
  } else if (choices_) {
    const std::uint64_t c = next_ < choices_->size() ? (*choices_)[next_] : 0;
    if (is_duration(kind))
      d.value = bound == std::numeric_limits<std::uint64_t>::max() ? c : c % (bound + 1);
    else
      d.value = c % std::max<std::uint64_t>(bound, 1);
  } else if (replaying_) {
    const Decision* r = recorded_next();
    const bool in_range =
        r && (is_duration(kind) ? r->value <= bound : r->value < std::max<std::uint64_t>(bound, 1));
    if (!r || r->kind != kind || r->site != site || r->bound != bound || !in_range) {
      diverge(d);
      return 0;
    }
    d.value = r->value;
  } else {
    d.value = draw();
  }
  if (replaying_ && !lenient_) ++*next_recorded_;
  ++next_;
  made_.push_back(d);
  if (sink_) sink_->on_decision(d);
  return d.value;
}

const Decision* SimDecisions::recorded_next() {
  if (next_ >= recorded_.size()) return nullptr;
  if (!next_recorded_) next_recorded_ = recorded_.begin();
  return next_recorded_->operator->();
}

void SimDecisions::end_of_run(TimePoint end) {
  if (!replaying_ || lenient_ || divergence_ || next_ >= recorded_.size()) return;
  diverge(Decision{{}, 0, 0, 0, end, 0});
  divergence_->run_ended = true;
}

void SimDecisions::diverge(Decision requested) {
  Divergence div;
  div.index = next_;
  if (const Decision* r = recorded_next()) div.recorded = *r;
  div.requested = requested;
  const std::size_t from = made_.size() > kRecentContext ? made_.size() - kRecentContext : 0;
  for (std::size_t i = from; i < made_.size(); ++i) div.recent.push_back(made_[i]);
  div.site_names = site_names_;
  divergence_ = std::move(div);
  if (loop_) loop_->stop();
}

[[gnu::always_inline]] inline std::uint64_t SimDecisions::draw_duration(std::uint32_t percent,
                                                                        Duration max) {
  if (max <= Duration::zero() || !rng_.chance(percent, 100)) return 0;
  return 1 + rng_.below(static_cast<std::uint64_t>(max.count()));
}

template <class Draw>
Duration SimDecisions::decide_duration(DecisionKind kind, std::uint64_t site, Draw draw) {
  return Duration(static_cast<Duration::rep>(
      decide(kind, site, duration_bound(kind, strategy_), std::move(draw))));
}

Duration SimDecisions::step_cost(const StepInfo& step) {
  if (step.task_id == 0) ++callback_steps_;
  return cost_of_step(step, draws_step_costs_ ? rng_.scaled(100) : 0);
}

Duration SimDecisions::cost_of_step(const StepInfo& step, SplitMix64::Scaled chance) {
  // Only a step that costs time is a decision (recorded, streamed).
  const std::uint64_t ordinal = step.task_id != 0 ? step.task_step : callback_steps_;
  if (!replaying_ && !lenient_ && !choices_) {
    // draw_duration's draw, its chance already drawn.
    const std::uint64_t cost =
        draws_step_costs_ && rng_.below_from(100, chance) < strategy_.step_cost_percent
            ? 1 + rng_.below(static_cast<std::uint64_t>(strategy_.max_step_cost.count()))
            : 0;
    if (cost != 0)
      record_sparse(DecisionKind::kStepCost, step.task_id, step.task_id, ordinal, cost);
    return Duration(static_cast<Duration::rep>(cost));
  }
  // A step's cost is decided after the step, when no task is current: it belongs to the
  // task that stepped, which is its site.
  return Duration(static_cast<Duration::rep>(given_sparse(
      DecisionKind::kStepCost, step.task_id, step.task_id, ordinal, step_cost_bound_)));
}

Duration SimDecisions::end_step(const StepInfo& step) {
  // step_cost() and, for a step that cost nothing, after_step(), in one call per step.
  // The usual step (seeded, drawn to cost nothing, nothing watching) makes no call, so
  // that it saves no registers; the rest is finish_step().
  if (step.task_id == 0) ++callback_steps_;
  if (draws_step_costs_) [[likely]] {
    const SplitMix64::Scaled chance = rng_.scaled(100);
    if (SplitMix64::settled(chance, 100) &&
        static_cast<std::uint64_t>(chance >> 64) >= strategy_.step_cost_percent &&
        (!escapes_ || !escapes_->must_throw()) && invariants_.empty()) [[likely]] {
      count_step(step);
      return Duration::zero();
    }
    return finish_step(step, chance);
  }
  return finish_step(step, 0);
}

Duration SimDecisions::finish_step(const StepInfo& step, SplitMix64::Scaled chance) {
  const Duration cost = cost_of_step(step, chance);
  if (cost == Duration::zero()) after_step(step);
  return cost;
}

Duration SimDecisions::timer_delay(Duration) {
  if (exact_timer_) return Duration::zero();
  Duration late{};
  if (strategy_.kind != Strategy::kFifo) {
    // Like a step's cost: every timer asks, only a late one is a decision.
    const std::uint64_t ordinal = ++timers_;
    std::uint64_t v;
    if (!replaying_ && !lenient_ && !choices_) [[likely]] {
      v = draw_duration(strategy_.timer_delay_percent, strategy_.max_timer_delay);
      if (v != 0) [[unlikely]]
        record_sparse(DecisionKind::kTimerDelay, 0, current_task_id(), ordinal, v);
    } else {
      v = given_sparse(DecisionKind::kTimerDelay, 0, current_task_id(), ordinal,
                       timer_delay_bound_);
    }
    late = Duration(static_cast<Duration::rep>(v));
  }
  if (faults_) late += faults_->timer_delay(*this);
  return late;
}

void SimDecisions::record_sparse(DecisionKind kind, std::uint64_t site, std::uint64_t task,
                                 std::uint64_t ordinal, std::uint64_t value) {
  const std::uint64_t bound =
      kind == DecisionKind::kStepCost ? step_cost_bound_ : timer_delay_bound_;
  const Decision d{kind, site, bound, value, now(), task, ordinal};
  made_.push_back(d);
  if (sink_) sink_->on_decision(d);
}

std::uint64_t SimDecisions::given_sparse(DecisionKind kind, std::uint64_t site, std::uint64_t task,
                                         std::uint64_t ordinal, std::uint64_t bound) {
  if (divergence_) return 0;  // diverged: defaults until the loop stops
  std::uint64_t value = 0;
  if (lenient_) {
    // The recorded value for this request (the n-th of its kind at its site), if any.
    auto it = keyed_.find({kind, site});
    if (it != keyed_.end()) {
      KeyedChoices& k = it->second;
      while (k.next < k.recorded.size() && k.recorded[k.next].ordinal < ordinal) ++k.next;
      if (k.next < k.recorded.size() && k.recorded[k.next].ordinal == ordinal) {
        const Decision& r = k.recorded[k.next++];
        if (r.bound == bound && r.value <= bound) value = r.value;
      }
    }
  } else if (choices_) {
    // Every request takes a choice, 0 or not: the schedule as a value keeps its shape.
    const std::uint64_t c = next_ < choices_->size() ? (*choices_)[next_] : 0;
    ++next_;
    value = bound == std::numeric_limits<std::uint64_t>::max() ? c : c % (bound + 1);
  } else {
    // Strict replay: the next recorded decision answers this request, or the request
    // took 0. One recorded for an earlier request of this kind and site went by
    // unclaimed: diverged. (One of another site or kind waits: the next request it does
    // not answer meets it, and diverges if it must.)
    const Decision* r = recorded_next();
    if (!r || r->kind != kind || r->site != site || r->ordinal > ordinal) return 0;
    if (r->ordinal < ordinal || r->bound != bound || r->value > bound) {
      diverge(Decision{kind, site, bound, 0, now(), task, ordinal});
      return 0;
    }
    value = r->value;
    ++*next_recorded_;
    ++next_;
  }
  if (value != 0) record_sparse(kind, site, task, ordinal, value);
  return value;
}

std::size_t SimDecisions::pick_due_timer(std::size_t n) {
  return decide(DecisionKind::kTimerOrder, 0, n, [&] { return rng_.below(n); });
}

std::size_t SimDecisions::pick_completion(std::size_t n) {
  return decide(DecisionKind::kCompletionOrder, 0, n, [&] { return rng_.below(n); });
}

std::size_t SimDecisions::pick_ready(std::size_t n) {
  return decide(DecisionKind::kReadyOrder, 0, n, [&] { return rng_.below(n); });
}

std::size_t SimDecisions::pick_ready(const std::vector<std::uint64_t>& task_ids) {
  const std::size_t n = task_ids.size();
  return decide(DecisionKind::kReadyOrder, 0, n, [&]() -> std::uint64_t {
    const std::uint64_t d = std::max<std::uint32_t>(strategy_.pct_depth, 1);
    if (!pct_started_) {
      pct_started_ = true;
      for (std::uint64_t i = 1; i < d; ++i)
        pct_change_points_.push_back(1 +
                                     rng_.below(std::max<std::uint64_t>(strategy_.pct_steps, 1)));
      std::sort(pct_change_points_.begin(), pct_change_points_.end());
    }
    ++pct_choices_;
    // Initial priorities are >= d; change point i lowers a task to d - i, below them all.
    auto priority = [&](std::uint64_t id) -> std::int64_t& {
      auto [it, fresh] = pct_priority_.try_emplace(id, 0);
      if (fresh) it->second = static_cast<std::int64_t>(d + rng_.below(1u << 30));
      return it->second;
    };
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (priority(task_ids[i]) > priority(task_ids[best])) best = i;
    std::size_t passed = 0;
    while (!pct_change_points_.empty() && pct_change_points_.front() <= pct_choices_) {
      pct_change_points_.erase(pct_change_points_.begin());
      ++passed;
    }
    // The i-th change point (of d-1) drops the chosen task to priority d-i: below every
    // initial priority and every earlier change point.
    if (passed) priority(task_ids[best]) = static_cast<std::int64_t>(1 + pct_change_points_.size());
    return best;
  });
}

Duration SimDecisions::job_duration(std::uint64_t job) {
  Duration d{};
  if (strategy_.kind != Strategy::kFifo)
    d = decide_duration(DecisionKind::kJobDuration, job, [&] {
      return rng_.below(duration_bound(DecisionKind::kJobDuration, strategy_) + 1);
    });
  if (faults_) d += faults_->job_delay(*this, job);
  return d;
}

std::uint64_t SimDecisions::site_for(const SourceLocation& where) {
  const auto slot = (reinterpret_cast<std::uintptr_t>(where.file) >> 3 ^ where.line * 0x9e37u) %
                    site_cache_.size();  // an address only picks the cache slot
  SiteCacheEntry& e = site_cache_[slot];
  if (e.file == where.file && e.line == where.line && e.file) return e.site;
  const std::uint64_t site = internal::site_of(where);
  e = {where.file, where.line, site};
  name_site(site, where.to_string());
  return site;
}

SimDecisions SimDecisions::from_choices(std::vector<std::uint64_t> choices, std::uint64_t seed,
                                        StrategyOptions strategy) {
  SimDecisions d(strategy, seed, {}, false);
  d.choices_ = std::move(choices);
  d.draws_step_costs_ = false;
  return d;
}

SimDecisions SimDecisions::replaying_leniently(std::vector<Decision> recorded,
                                               StrategyOptions strategy) {
  SimDecisions d(strategy, 0, std::move(recorded), true);
  d.lenient_ = true;
  for (const Decision& r : d.recorded_) d.keyed_[{r.kind, r.site}].recorded.push_back(r);
  return d;
}

bool SimDecisions::choose_chance(DecisionKind kind, std::uint64_t site, double probability) {
  return decide(kind, site, 2,
                [&]() -> std::uint64_t { return draw_probability(fault_rng_, probability); });
}

std::uint64_t SimDecisions::choose_below(DecisionKind kind, std::uint64_t site,
                                         std::uint64_t bound) {
  return decide(kind, site, bound, [&] { return fault_rng_.below(bound); });
}

std::uint64_t SimDecisions::choose_drawn(DecisionKind kind, std::uint64_t site, std::uint64_t bound,
                                         const std::function<std::uint64_t(SplitMix64&)>& draw) {
  return decide(kind, site, bound, [&] {
    const std::uint64_t v = draw(fault_rng_);
    return bound == 0 ? 0 : std::min(v, bound - 1);
  });
}

Duration SimDecisions::choose_duration(DecisionKind kind, std::uint64_t site, Duration max,
                                       double probability) {
  const std::uint64_t bound = max > Duration::zero() ? static_cast<std::uint64_t>(max.count()) : 0;
  return Duration(static_cast<Duration::rep>(decide(kind, site, bound, [&]() -> std::uint64_t {
    if (bound == 0 || !draw_probability(fault_rng_, probability)) return 0;
    return 1 + fault_rng_.below(bound);
  })));
}

void SimDecisions::name_site(std::uint64_t site, std::string_view name) {
  auto [it, fresh] = site_names_.try_emplace(site, name);
  if (fresh && sink_) sink_->on_site(site, name);
}

std::exception_ptr SimDecisions::job_error(std::uint64_t job) {
  return faults_ ? faults_->job_error(*this, job) : nullptr;
}

void SimDecisions::after_step(const StepInfo& step) {
  count_step(step);
  if (escapes_) escapes_->check();  // throws EscapeError once, under kFail
  // After the first violation the run is over: the shutdown that follows (cancelling
  // the tasks left) is not checked again.
  if (!invariants_.empty() && !violation_) [[unlikely]]
    check_invariants();
}

void SimDecisions::check_invariants() {
  for (std::size_t i = 0; i < invariants_.size(); ++i) {
    Invariant& check = *invariants_[i];
    if (!check.holds()) {
      violation_ = violation_message(check, "after step " + std::to_string(steps_seen_));
      throw InvariantViolation(*violation_);
    }
  }
}

std::string SimDecisions::violation_message(const Invariant& check, const std::string& when) const {
  char at[40];
  std::snprintf(at, sizeof at, " at t=%.6fs", to_seconds(now()));
  std::string s = "invariant '" + check.name() + "' violated " + when + at;
  s += made_.empty() ? "\n  no decision had been made yet"
                     : "\n  the last decision: #" + std::to_string(made_.size() - 1) + " " +
                           describe(made_.back(), site_names_);
  return s;
}

void SimDecisions::remove_invariant(Invariant* check) noexcept { std::erase(invariants_, check); }

void SimDecisions::replace_invariant(Invariant* from, Invariant* to) noexcept {
  for (Invariant*& p : invariants_)
    if (p == from) p = to;
}

void SimDecisions::note_violation(const Invariant& check, const char* when) noexcept {
  if (violation_) return;  // the first violation is the run's failure
  try {
    violation_ = violation_message(check, when);
  } catch (...) {
  }
}

AwaitVerdict SimDecisions::at_await(const AwaitInfo& await) {
  if (faults_ && faults_->acts_at_awaits())
    if (std::exception_ptr e = faults_->at_await(*this, await)) return {AwaitAction::kThrow, e};
  const CancellationFuzzing& c = strategy_.cancellation;
  if (c.mode == CancellationFuzzing::Mode::kOff || c.at == CancellationFuzzing::Point::kWake)
    return {};
  const std::string& name = await.task_name();
  if (c.tasks.empty() ? name == "main" : !glob_match(c.tasks, name)) return {};
  using Target = CancellationFuzzing::Target;
  if (c.target == Target::kTimeout && !await.in_timeout) return {};
  if (c.target == Target::kEnclosing && await.enclosure == Enclosure::kNone) return {};
  // Values: 0 nothing. With one target, 1 is that target. With kAny the value names it
  // (1 task, 2 timeout, 3 enclosing; see injected_cancel), drawn among those this await has.
  const bool any = c.target == Target::kAny;
  ++awaits_considered_;
  const std::uint64_t v =
      decide(DecisionKind::kCancel, await.task_id(), any ? 4 : 2, [&]() -> std::uint64_t {
        if (c.mode == CancellationFuzzing::Mode::kExhaustive) return awaits_considered_ == c.index;
        if (!draw_probability(fault_rng_, c.probability)) return 0;
        if (!any) return 1;
        std::uint64_t options[3], n = 0;
        options[n++] = 1;
        if (await.in_timeout) options[n++] = 2;
        if (await.enclosure != Enclosure::kNone) options[n++] = 3;
        return options[fault_rng_.below(n)];
      });
  if (v == 0) return {};
  switch (injected_cancel(c.target, v)) {
    case InjectedCancel::kTimeout:
      return {AwaitAction::kExpireTimeout, nullptr};
    case InjectedCancel::kEnclosing:
      return {AwaitAction::kCancelEnclosing, nullptr};
    case InjectedCancel::kTask:
      break;
  }
  return {AwaitAction::kCancel, nullptr};
}

bool SimDecisions::at_wake(const AwaitInfo& wake) {
  const CancellationFuzzing& c = strategy_.cancellation;
  const std::string& name = wake.task_name();
  if (c.tasks.empty() ? name == "main" : !glob_match(c.tasks, name)) return false;
  ++awaits_considered_;  // one count over suspend and wake points: exhaustive's index
  return decide(DecisionKind::kWakeCancel, wake.task_id(), 2, [&]() -> std::uint64_t {
           if (c.mode == CancellationFuzzing::Mode::kExhaustive)
             return awaits_considered_ == c.index;
           return draw_probability(fault_rng_, c.probability);
         }) != 0;
}

Duration SimDecisions::net_delay(std::uint64_t site) {
  if (strategy_.kind == Strategy::kFifo) return strategy_.net_latency;
  return strategy_.net_latency + decide_duration(DecisionKind::kNetDelay, site, [&] {
           return draw_duration(strategy_.net_delay_percent, strategy_.max_net_delay);
         });
}

Duration SimDecisions::link_latency(std::uint64_t site, const Latency& latency) {
  if (strategy_.kind == Strategy::kFifo || latency.min() == latency.max()) return latency.min();
  const auto bound = static_cast<std::uint64_t>((latency.max() - latency.min()).count());
  const std::uint64_t extra = decide(DecisionKind::kNetDelay, site, bound, [&] {
    return static_cast<std::uint64_t>(
        (latency.at(rng_.below(Latency::kSteps + 1)) - latency.min()).count());
  });
  return latency.min() + Duration(static_cast<Duration::rep>(extra));
}

std::size_t SimDecisions::pick_arrival(std::size_t n) {
  if (strategy_.kind == Strategy::kFifo || n < 2) return 0;
  const std::size_t i = pick_completion(n);
  return i < n ? i : 0;
}

std::uint64_t SimDecisions::random_below(std::uint64_t bound, std::uint64_t site) {
  return decide(DecisionKind::kRandom, site, bound, [&] { return rng_.below(bound); });
}

}  // namespace lockstep
