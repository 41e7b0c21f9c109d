// Shrinking: the result still fails the same way and replays exactly, never has more
// non-default decisions than it started with, respects its budget, and says what is left
// in the program's own terms.
#include "sim/shrink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// Check-then-act across an await: fails when the two withdrawals overlap, which needs
// the second to arrive within 5ms after the first (at 10ms): a draw in (10ms, 15ms).
int balance = 0;
Coro<void> withdraw(int amount, Duration arrival) {
  co_await sleep(arrival);
  if (balance < amount) co_return;
  co_await sleep(5ms);
  balance -= amount;
}
Coro<int> bank() {
  balance = 100;
  co_await gather(withdraw(80, 10ms), withdraw(80, random_duration(50ms)));
  if (balance < 0) throw std::runtime_error("overdraft: balance is " + std::to_string(balance));
  co_return balance;
}

template <class F>
auto first_failing(F program, SimulationOptions o, std::uint64_t seeds = 500) {
  for (std::uint64_t s = 0; s < seeds; ++s) {
    o.seed = s;
    auto run = simulate(program, o);
    if (!run.outcome.ok()) return run;
  }
  throw std::runtime_error("no seed failed");
}

TEST(ShrinkTest, TheShrunkRunFailsTheSameWayAndReplaysExactly) {
  SimulationOptions o;
  auto failing = first_failing(bank, o);
  o.seed = failing.seed;
  auto small = shrink(bank, failing.decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_THAT(small.failure, HasSubstr("overdraft"));
  EXPECT_LE(small.non_default_after, small.non_default_before);
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;  // the one draw
  auto again = replay(bank, small.run.decisions, o);
  EXPECT_FALSE(again.divergence);
  ASSERT_FALSE(again.outcome.ok());
  EXPECT_EQ(describe_exception(again.outcome.exception()),
            describe_exception(small.run.outcome.exception()));
  EXPECT_THAT(small.summary, HasSubstr("fails with "));
  EXPECT_THAT(small.summary, HasSubstr("random draw at tests/sim/shrink_test.cc:"));
}

// Fails only when every one of five workers draws a non-zero value at the same line:
// none of the five draws can be removed, so the summary has five equivalent decisions.
constexpr int kDrawLine = __LINE__ + 3;
Coro<void> draw_into(std::vector<std::uint64_t>& drawn, std::size_t i) {
  co_await sleep(Duration(i));
  drawn[i] = random_below(10);
}
Coro<void> all_nonzero() {
  std::vector<std::uint64_t> drawn(5);
  std::vector<Task<void>> workers;
  for (std::size_t i = 0; i < drawn.size(); ++i)
    workers.push_back(create_task(draw_into(drawn, i), "w" + std::to_string(i)));
  co_await gather(workers);
  if (std::count(drawn.begin(), drawn.end(), 0u) == 0) throw std::runtime_error("no zero");
}

// The removal candidates: faults first, then groups a person would name (every decision
// of a kind, of a kind at one site), then chunks; a round resumed from a kept
// candidate's key offers nothing before it.
TEST(ShrinkTest, RemovalCandidatesGroupByKindAndSiteAndResume) {
  auto d = [](DecisionKind kind, std::uint64_t site, std::uint64_t value) {
    Decision x;
    x.kind = kind;
    x.site = site;
    x.bound = 100;
    x.value = value;
    return x;
  };
  const std::vector<Decision> stream = {
      d(DecisionKind::kStepCost, 1, 5), d(DecisionKind::kRandom, 7, 1),
      d(DecisionKind::kStepCost, 2, 5), d(DecisionKind::kFault, 9, 1),
      d(DecisionKind::kStepCost, 1, 5), d(DecisionKind::kRandom, 7, 0)};
  const auto all = internal::removal_candidates(stream);
  auto has = [&](const std::vector<std::size_t>& indices) {
    return std::any_of(all.begin(), all.end(), [&](const auto& c) { return c.indices == indices; });
  };
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().indices, (std::vector<std::size_t>{3}));  // the fault, alone
  EXPECT_TRUE(has({0, 2, 4}));                                    // every step cost
  EXPECT_TRUE(has({0, 4}));                                       // the step costs of task 1
  EXPECT_TRUE(has({0, 1, 2, 3, 4}));                              // all non-default decisions
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_FALSE(all[i].key < all[i - 1].key);
  // Resumed from the 3rd candidate: the same candidates from there on.
  const auto resumed = internal::removal_candidates(stream, all[2].key);
  ASSERT_EQ(resumed.size(), all.size() - 2);
  EXPECT_EQ(resumed.front().indices, all[2].indices);
}

TEST(ShrinkTest, EquivalentDecisionsReadAsOneLine) {
  SimulationOptions o;
  o.strategy.kind = Strategy::kFifo;  // the draws alone
  auto failing = first_failing(all_nonzero, o, 2000);
  o.seed = failing.seed;
  auto small = shrink(all_nonzero, failing.decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_EQ(small.non_default_after, 5u) << small.summary;
  // Each draw shrinks to 1 and the five read as one line naming the site and the tasks.
  const std::string site = "tests/sim/shrink_test.cc:" + std::to_string(kDrawLine);
  EXPECT_THAT(small.summary, HasSubstr("  5 random draws at " + site +
                                       " gave 1 of [0, 10) in 5 tasks ('w0', 'w1', 'w2', ...)"))
      << small.summary;
  EXPECT_THAT(small.summary, Not(HasSubstr("random draw at "))) << small.summary;
}

// A watchdog that fails when the worker has not taken its 30 steps within 2ms: only a
// step that costs time can do that, and a chattering task steps in between. Step costs
// are decisions only where a step cost time, each naming its task's step, so removing one
// leaves the others on the steps they were drawn for.
Coro<void> yield_steps(int n) {
  for (int i = 0; i < n; ++i) co_await sleep(0s);
}
Coro<int> watched() {
  bool done = false;
  auto worker = create_task(
      [](bool* done) -> Coro<void> {
        co_await yield_steps(30);
        *done = true;
      }(&done),
      "worker");
  auto chatter = create_task(yield_steps(30), "chatter");
  co_await sleep(2ms);
  if (!done) throw std::runtime_error("the worker missed its deadline");
  co_await gather(worker, chatter);
  co_return 1;
}

TEST(ShrinkTest, ASlowStepShrinksToThatOneStep) {
  SimulationOptions o;
  o.strategy.timer_delay_percent = 0;  // step costs are the only decisions
  auto failing = first_failing(watched, o);
  o.seed = failing.seed;
  auto small = shrink(watched, failing.decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_THAT(small.failure, HasSubstr("missed its deadline"));
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;
  std::size_t costs = 0;
  for (const Decision& d : small.run.decisions) {
    if (d.value == 0) continue;
    ++costs;
    EXPECT_EQ(d.kind, DecisionKind::kStepCost);
    EXPECT_GE(d.value, 1'000'000u) << "under 1ms cannot miss a 2ms deadline";
    EXPECT_GE(d.ordinal, 1u);
  }
  EXPECT_EQ(costs, 1u);
  EXPECT_THAT(small.summary, HasSubstr("a step of ")) << small.summary;
  auto again = replay(watched, small.run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_FALSE(again.outcome.ok());
}

TEST(ShrinkTest, ARunThatDoesNotFailIsNotShrunk) {
  SimulationOptions o;
  o.seed = 1;
  auto fine = simulate([]() -> Coro<int> { co_return 1; }, o);
  auto r = shrink([]() -> Coro<int> { co_return 1; }, fine.decisions, o);
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.runs, 1u);
  EXPECT_THAT(r.summary, HasSubstr("does not fail"));
}

TEST(ShrinkTest, TheRunBudgetIsKept) {
  SimulationOptions o;
  auto failing = first_failing(bank, o);
  o.seed = failing.seed;
  ShrinkOptions budget;
  budget.max_runs = 3;
  std::uint64_t progress_calls = 0;
  budget.on_progress = [&](const ShrinkProgress& p) {
    ++progress_calls;
    EXPECT_LE(p.non_default, p.original_non_default);
  };
  auto r = shrink(bank, failing.decisions, o, budget);
  EXPECT_LE(r.runs, 3u);
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_EQ(progress_calls, r.runs - 1);  // every candidate, not the first run
}

TEST(ShrinkTest, TheSummaryNamesTheTaskAndTheAwaitOfACancel) {
  SimulationOptions o;
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.probability = 0.3;
  auto program = []() -> Coro<int> {
    auto worker = create_task(
        []() -> Coro<void> {
          co_await sleep(1ms);
          co_await sleep(1ms);
        }(),
        "the-worker");
    co_await sleep(5ms);
    if (worker.cancelled()) throw std::runtime_error("worker was cancelled");
    co_return 0;
  };
  auto failing = first_failing(program, o);
  o.seed = failing.seed;
  auto r = shrink(program, failing.decisions, o);
  EXPECT_EQ(r.non_default_after, 1u) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("a cancel injected into 'the-worker' at its 1st await"));
  EXPECT_THAT(r.summary, HasSubstr("awaiting sleep until t=0.001000s"));
}

// The await a cancel landed on is named by its source line, at a suspension and at a
// wakeup alike: the line of the call that made the awaitable (here, Queue::get()).
int get_line = 0;
Coro<void> consume(Queue<int>* queue) {
  get_line = __LINE__ + 1;
  co_await queue->get();
}
Coro<int> hand_off() {
  Queue<int> queue;
  auto consumer = create_task(consume(&queue), "consumer");
  co_await sleep(1ms);
  queue.put_nowait(1);
  co_await sleep(1ms);
  if (consumer.cancelled()) throw std::runtime_error("the consumer was cancelled");
  co_return 0;
}

TEST(ShrinkTest, TheSummaryNamesTheSourceLineOfTheAwait) {
  for (auto at : {CancellationFuzzing::Point::kSuspend, CancellationFuzzing::Point::kWake}) {
    SimulationOptions o;
    o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
    o.strategy.cancellation.probability = 0.5;
    o.strategy.cancellation.tasks = "consumer";
    o.strategy.cancellation.at = at;
    auto failing = first_failing(hand_off, o);
    o.seed = failing.seed;
    auto r = shrink(hand_off, failing.decisions, o);
    EXPECT_EQ(r.non_default_after, 1u) << r.summary;
    const std::string await = "Queue.get() at tests/sim/shrink_test.cc:" + std::to_string(get_line);
    if (at == CancellationFuzzing::Point::kSuspend)
      EXPECT_THAT(r.summary, HasSubstr("a cancel injected into 'consumer' at its 1st await (t=0."
                                       "000000s, awaiting " +
                                       await + ")"));
    else
      EXPECT_THAT(r.summary, HasSubstr("a cancel delivered to 'consumer' after its await of " +
                                       await + " completed, before it resumed"));
  }
}

TEST(ShrinkTest, FailuresDifferingOnlyInNumbersAreTheSame) {
  EXPECT_EQ(internal::failure_signature("deadlock at t=0.019918s\npending: x"),
            internal::failure_signature("deadlock at t=1.5s\npending: y"));
  EXPECT_NE(internal::failure_signature("overdraft: -60"),
            internal::failure_signature("underflow: -60"));
}

// For random programs with a failure that depends on the schedule: the shrunk run fails
// the same way, replays exactly, and has no more non-default decisions than the original.
RC_GTEST_PROP(ShrinkLaws, ShrinkingKeepsTheFailureAndNeverGrows, ()) {
  const auto count = *rc::gen::inRange<std::size_t>(2, 6);
  const auto sleeps = *rc::gen::container<std::vector<int>>(count, rc::gen::inRange(0, 8));
  const auto kind = *rc::gen::element(Strategy::kFaithful, Strategy::kRandom, Strategy::kPct);
  auto program = [&sleeps]() -> Coro<std::string> {
    std::string order;
    std::vector<Task<void>> tasks;
    for (std::size_t i = 0; i < sleeps.size(); ++i)
      tasks.push_back(create_task([](int ms, std::size_t i, std::string* order) -> Coro<void> {
        co_await sleep(std::chrono::milliseconds(ms + random_below(4)));
        *order += char('a' + i);
      }(sleeps[i], i, &order)));
    co_await gather(tasks);
    if (order[0] > order[1]) throw std::runtime_error("out of order: " + order.substr(0, 2));
    co_return order;
  };
  SimulationOptions o;
  o.strategy.kind = kind;
  std::optional<SimulationResult<std::string>> failing;
  for (std::uint64_t s = 0; s < 200 && !failing; ++s) {
    o.seed = s;
    auto run = simulate(program, o);
    if (!run.outcome.ok()) failing = std::move(run);
  }
  RC_PRE(failing.has_value());
  ShrinkOptions budget;
  budget.max_runs = 300;
  auto r = shrink(program, failing->decisions, o, budget);
  RC_ASSERT(r.failed);
  RC_ASSERT(r.non_default_after <= r.non_default_before);
  RC_ASSERT(internal::failure_signature(describe_exception(r.run.outcome.exception())) ==
            internal::failure_signature(r.failure));
  auto again = replay(program, r.run.decisions, o);
  RC_ASSERT(!again.divergence);
  RC_ASSERT(!again.outcome.ok());
  RC_ASSERT(describe_exception(again.outcome.exception()) ==
            describe_exception(r.run.outcome.exception()));
}

// Two ways to the same failure: twenty draws that add up to exactly 77 (any change
// undoes it: such a run hardly shrinks), or a first draw of 9 (one decision).
Coro<void> two_ways() {
  std::uint64_t sum = 0, first = 0;
  for (int i = 0; i < 20; ++i) {
    const std::uint64_t r = random_below(10);
    if (i == 0) first = r;
    sum += r;
  }
  if (sum == 77 || first == 9) throw std::runtime_error("boom");
  co_return;
}

TEST(ShrinkTest, ShrinkBestKeepsTheFailingRunThatShrinksFurthest) {
  SimulationOptions o;
  std::optional<SimulationResult<void>> by_sum, by_first;
  for (std::uint64_t seed = 0; seed < 5000 && (!by_sum || !by_first); ++seed) {
    o.seed = seed;
    auto run = simulate(two_ways, o);
    if (run.outcome.ok()) continue;
    const auto first_draw =
        std::find_if(run.decisions.begin(), run.decisions.end(),
                     [](const Decision& d) { return d.kind == DecisionKind::kRandom; });
    const bool first_is_9 = first_draw != run.decisions.end() && first_draw->value == 9;
    (first_is_9 ? by_first : by_sum) = std::move(run);
  }
  ASSERT_TRUE(by_sum && by_first);
  ShrinkOptions budget;
  budget.max_runs = 400;
  const auto alone = shrink(two_ways, by_sum->decisions, o, budget);
  EXPECT_GT(alone.non_default_after, 5u) << alone.summary;  // the sum needs most draws

  SimulationResult<void> passing;
  o.seed = 0;
  while (!(passing = simulate(two_ways, o)).outcome.ok()) ++o.seed;
  const auto best =
      shrink_best(two_ways, {by_sum->decisions, passing.decisions, by_first->decisions}, o, budget);
  ASSERT_TRUE(best.failed);
  EXPECT_EQ(best.chosen, 2u);
  EXPECT_EQ(best.non_default_after, 1u) << best.summary;
  EXPECT_LE(best.runs, budget.max_runs);
  EXPECT_THAT(best.summary,
              HasSubstr("(from " + std::to_string(count_non_default(by_first->decisions)) + ")"));
  EXPECT_FALSE(replay(two_ways, best.run.decisions, o).outcome.ok());
  EXPECT_THROW(shrink_best(two_ways, {}, o), std::invalid_argument);
}

}  // namespace
}  // namespace lockstep
