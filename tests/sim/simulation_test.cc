// Simulation: seeds determine runs, strategies explore what they claim to, replay
// reproduces runs and reports exactly where a program stops matching its recording.
#include "sim/simulation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A program with real races for the faithful strategy: tasks whose sleeps end together,
// a wait_for whose inner ends exactly at the timeout, and random draws.
Coro<std::string> racy_program_drawing(std::uint64_t bound) {
  std::string log;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back(create_task([](int i, std::string* log, std::uint64_t bound) -> Coro<void> {
      co_await sleep(10ms);
      *log += std::to_string(i);
      co_await sleep(std::chrono::milliseconds(random_below(bound)));
      *log += char('a' + i);
    }(i, &log, bound)));
  }
  co_await gather(tasks);
  try {
    co_await wait_for([]() -> Coro<void> { co_await sleep(1s); }(), 1s);
    log += " value";
  } catch (const TimeoutError&) {
    log += " timeout";
  }
  co_return log;
}
Coro<std::string> racy_program() { return racy_program_drawing(5); }

SimulationOptions seed(std::uint64_t s, Strategy kind = Strategy::kFaithful) {
  SimulationOptions o;
  o.seed = s;
  o.strategy.kind = kind;
  return o;
}

TEST(SimulationTest, TheSameSeedGivesTheSameRun) {
  for (std::uint64_t s : {0u, 1u, 17u, 123456u}) {
    auto a = simulate(racy_program, seed(s));
    auto b = simulate(racy_program, seed(s));
    ASSERT_TRUE(a.outcome.ok());
    EXPECT_EQ(a.outcome.value(), b.outcome.value());
    EXPECT_EQ(a.decisions, b.decisions);
    EXPECT_EQ(a.end_time, b.end_time);
    EXPECT_EQ(a.steps, b.steps);
    EXPECT_FALSE(a.decisions.empty());
  }
}

TEST(SimulationTest, FaithfulSeedsReachBothSidesOfTheWaitForRace) {
  std::set<std::string> endings;
  std::set<std::string> logs;
  for (std::uint64_t s = 0; s < 60; ++s) {
    auto r = simulate(racy_program, seed(s));
    ASSERT_TRUE(r.outcome.ok());
    const std::string log = r.outcome.value();
    logs.insert(log);
    endings.insert(log.substr(log.find(' ')));
  }
  // The inner finishing at the timeout instant: asyncio gives either, depending on which
  // timer goes first; the faithful strategy decides it.
  EXPECT_EQ(endings, (std::set<std::string>{" timeout", " value"}));
  EXPECT_GT(logs.size(), 5u);
}

TEST(SimulationTest, FaithfulKeepsTheReadyQueueFifoRandomDoesNot) {
  // Two callbacks ready in the same iteration: asyncio runs them in order, always.
  auto program = []() -> Coro<std::string> {
    std::string order;
    Loop& loop = *Loop::current();
    for (char c : std::string("abcd")) loop.call_soon([&order, c] { order += c; });
    co_await sleep(0s);
    co_await sleep(0s);
    co_return order;
  };
  std::set<std::string> faithful, random;
  for (std::uint64_t s = 0; s < 40; ++s) {
    faithful.insert(simulate(program, seed(s)).outcome.value());
    random.insert(simulate(program, seed(s, Strategy::kRandom)).outcome.value());
  }
  EXPECT_EQ(faithful, std::set<std::string>{"abcd"});
  EXPECT_GT(random.size(), 5u);
}

// PCT: tasks run by priority, so a task's steps run back to back until a change point;
// different seeds give different task orders, and a replay reproduces each.
TEST(SimulationTest, PctRunsTasksByPriorityAndReplays) {
  auto program = []() -> Coro<std::string> {
    std::string order;
    std::vector<Task<void>> tasks;
    for (char c : std::string("abc"))
      tasks.push_back(create_task([](char c, std::string* order) -> Coro<void> {
        for (int k = 0; k < 3; ++k) {
          *order += c;
          co_await sleep(0s);
        }
      }(c, &order)));
    co_await gather(tasks);
    co_return order;
  };
  std::set<std::string> orders;
  for (std::uint64_t s = 0; s < 40; ++s) {
    SimulationOptions o = seed(s, Strategy::kPct);
    o.strategy.pct_steps = 20;
    auto r = simulate(program, o);
    orders.insert(r.outcome.value());
    auto again = replay(program, r.decisions, o);
    EXPECT_FALSE(again.divergence);
    EXPECT_EQ(again.outcome.value(), r.outcome.value());
  }
  EXPECT_GT(orders.size(), 3u);
  // Plain asyncio interleaves them round-robin; PCT's orders are mostly not that.
  EXPECT_GT(orders.size() - orders.count("abcabcabc"), 2u);
}

TEST(SimulationTest, FifoIsPlainAsyncioWithOnlyTheProgramsOwnDraws) {
  auto r = simulate(racy_program, seed(5, Strategy::kFifo));
  ASSERT_TRUE(r.outcome.ok());
  for (const Decision& d : r.decisions) EXPECT_EQ(d.kind, DecisionKind::kRandom);
  EXPECT_EQ(r.decisions.size(), 4u);
  // asyncio's own order: the timeout's timer was scheduled first, so it wins the tie.
  EXPECT_THAT(r.outcome.value(), HasSubstr(" timeout"));
}

TEST(SimulationTest, ReplayReproducesTheRunExactly) {
  for (std::uint64_t s = 0; s < 10; ++s) {
    auto run = simulate(racy_program, seed(s, Strategy::kRandom));
    auto again = replay(racy_program, run.decisions, seed(999, Strategy::kRandom));
    EXPECT_FALSE(again.divergence) << again.divergence->report();
    EXPECT_TRUE(again.replay_complete);
    EXPECT_EQ(again.outcome.value(), run.outcome.value());
    EXPECT_EQ(again.decisions, run.decisions);
    EXPECT_EQ(again.end_time, run.end_time);
  }
}

TEST(SimulationTest, ReplayOfAFailingRunReproducesTheFailure) {
  auto flaky = []() -> Coro<int> {
    co_await sleep(std::chrono::milliseconds(random_below(100)));
    if (random_chance(1, 4)) throw std::runtime_error("rare failure");
    co_return 1;
  };
  std::optional<SimulationResult<int>> failing;
  for (std::uint64_t s = 0; s < 100 && !failing; ++s) {
    auto r = simulate(flaky, seed(s));
    if (!r.outcome.ok()) failing = std::move(r);
  }
  ASSERT_TRUE(failing);
  auto again = replay(flaky, failing->decisions, seed(0));
  EXPECT_FALSE(again.outcome.ok());
  EXPECT_EQ(describe_exception(again.outcome.exception()),
            describe_exception(failing->outcome.exception()));
  EXPECT_EQ(again.end_time, failing->end_time);
}

TEST(SimulationTest, ADifferentProgramDivergesWithAReport) {
  auto run = simulate(racy_program, seed(3));
  std::size_t first_draw = 0;
  while (run.decisions[first_draw].kind != DecisionKind::kRandom) ++first_draw;
  // The same program, except that it draws from a different range.
  auto other = [] { return racy_program_drawing(7); };
  auto r = replay(other, run.decisions, seed(3));
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->index, first_draw);
  const std::string report = r.divergence->report();
  EXPECT_THAT(report, HasSubstr("replay diverged at decision #" + std::to_string(first_draw)));
  EXPECT_THAT(report, HasSubstr("recorded:  random"));
  EXPECT_THAT(report, HasSubstr("bound=5"));
  EXPECT_THAT(report, HasSubstr("requested: random"));
  EXPECT_THAT(report, HasSubstr("bound=7"));
  EXPECT_THAT(report, HasSubstr("the decisions before it"));
}

// Main takes seven steps and reads the clock in each (sleep(0) is a bare yield: no timer,
// so step costs are the only decisions).
Coro<std::vector<std::int64_t>> stepping_clock() {
  std::vector<std::int64_t> times;
  for (int i = 0; i < 7; ++i) {
    times.push_back(now().time_since_epoch().count());
    co_await sleep(0s);
  }
  co_return times;
}

TEST(StepCostTest, OnlyStepsThatCostTimeAreDecisionsAndReplayPutsEachBackOnItsStep) {
  SimulationOptions o = seed(2);
  o.strategy.step_cost_percent = 50;
  auto run = simulate(stepping_clock, o);
  ASSERT_TRUE(run.outcome.ok());
  const std::vector<std::int64_t> times = run.outcome.value();
  std::size_t main_costs = 0;
  for (const Decision& d : run.decisions) {
    ASSERT_EQ(d.kind, DecisionKind::kStepCost);
    EXPECT_NE(d.value, 0u);
    if (d.site != 1) continue;  // the loop's own callbacks (site 0)
    ++main_costs;
    // Main's step n ran from times[n-1]; its cost shows in the clock it reads next (its
    // 8th, last step returns).
    ASSERT_GE(d.ordinal, 1u);
    ASSERT_LE(d.ordinal, times.size() + 1);
    if (d.ordinal > times.size() - 1) continue;
    EXPECT_GE(times[d.ordinal] - times[d.ordinal - 1], static_cast<std::int64_t>(d.value));
  }
  EXPECT_GT(main_costs, 0u);
  EXPECT_LT(main_costs, times.size()) << "seed 2 has steps that cost nothing";
  auto again = replay(stepping_clock, run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(again.outcome.value(), times);
  EXPECT_EQ(again.decisions, run.decisions);
}

TEST(StepCostTest, ARecordedStepCostWhoseStepWentByIsADivergence) {
  SimulationOptions o = seed(1);
  const auto bound = static_cast<std::uint64_t>(o.strategy.max_step_cost.count());
  // Main's 3rd step took 1ms; then one for its 2nd, which a replay passed long ago.
  const std::vector<Decision> recorded = {
      Decision{DecisionKind::kStepCost, 1, bound, 1'000'000, {}, 1, 3},
      Decision{DecisionKind::kStepCost, 1, bound, 1'000'000, {}, 1, 2}};
  auto r = replay(stepping_clock, recorded, o);
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->index, 1u);
  const std::string report = r.divergence->report();
  EXPECT_THAT(report, HasSubstr("recorded:  step_cost site=1"));
  EXPECT_THAT(report, HasSubstr("step=2"));
  EXPECT_THAT(report, HasSubstr("requested: step_cost site=1 bound=10000000 step=4"));
}

TEST(StepCostTest, AReplayThatEndsBeforeARecordedDecisionDiverges) {
  SimulationOptions o = seed(1);
  const auto bound = static_cast<std::uint64_t>(o.strategy.max_step_cost.count());
  // A cost for main's 50th step: the program takes 8.
  const std::vector<Decision> recorded = {
      Decision{DecisionKind::kStepCost, 1, bound, 1'000'000, {}, 1, 50}};
  auto r = replay(stepping_clock, recorded, o);
  ASSERT_TRUE(r.divergence);
  EXPECT_TRUE(r.divergence->run_ended);
  EXPECT_EQ(r.divergence->index, 0u);
  EXPECT_THAT(r.divergence->report(), HasSubstr("requested: nothing: the run ended first"));
  EXPECT_THAT(r.divergence->report(), HasSubstr("step=50"));
}

TEST(StepCostTest, ARecordedLateTimerWhoseTimerWentByIsADivergence) {
  SimulationOptions o = seed(1);
  const auto bound = static_cast<std::uint64_t>(o.strategy.max_timer_delay.count());
  auto three_sleeps = []() -> Coro<int> {
    for (int i = 0; i < 3; ++i) co_await sleep(1ms);
    co_return static_cast<int>(now().time_since_epoch().count() / 1000);
  };
  // The run's 2nd timer fired 0.5ms late; then one for its 1st, long gone.
  const std::vector<Decision> late_second = {
      Decision{DecisionKind::kTimerDelay, 0, bound, 500'000, {}, 1, 2}};
  auto r = replay(three_sleeps, late_second, o);
  EXPECT_FALSE(r.divergence);
  EXPECT_EQ(r.outcome.value(), 3500) << "us: three 1ms sleeps, the 2nd one 0.5ms late";
  std::vector<Decision> out_of_order = late_second;
  out_of_order.push_back(Decision{DecisionKind::kTimerDelay, 0, bound, 500'000, {}, 1, 1});
  r = replay(three_sleeps, out_of_order, o);
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->index, 1u);
  EXPECT_THAT(
      r.divergence->report(),
      HasSubstr("requested: timer_delay site=0 bound=" + std::to_string(bound) + " timer=3"));
}

// Two tasks yield 1 and 3 times, or 3 and 1: the same number of steps, the same time,
// the same outcome and no decision at all, but another order of steps.
int schedule_flips = 0;
Coro<int> flipping_schedule() {
  const bool flip = ++schedule_flips % 2 == 0;  // state leaking from run to run
  auto yields = [](int n) -> Coro<void> {
    for (int i = 0; i < n; ++i) co_await sleep(0s);
  };
  auto a = create_task(yields(flip ? 3 : 1));
  auto b = create_task(yields(flip ? 1 : 3));
  co_await gather(a, b);
  co_return 0;
}

TEST(SimulationTest, DeterminismCheckCatchesAnotherOrderOfStepsWithoutDecisions) {
  SimulationOptions o = seed(1);
  o.strategy.step_cost_percent = 0;
  o.strategy.timer_delay_percent = 0;
  auto first = simulate(flipping_schedule, o);
  EXPECT_TRUE(first.decisions.empty());
  const DeterminismReport r = check_determinism(flipping_schedule, o);
  EXPECT_FALSE(r.deterministic);
  EXPECT_THAT(r.report, HasSubstr("took their steps in another order"));
}

TEST(SimulationTest, ReplayingMoreThanWasRecordedIsADivergence) {
  auto run = simulate(racy_program, seed(4));
  std::vector<Decision> cut = run.decisions;
  cut.resize(3);
  auto r = replay(racy_program, cut, seed(4));
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->index, 3u);
  EXPECT_FALSE(r.divergence->recorded);
  EXPECT_THAT(r.divergence->report(), HasSubstr("the recording ends here"));
}

TEST(SimulationTest, DeterminismCheckPassesForADeterministicProgram) {
  for (std::uint64_t s = 0; s < 5; ++s) {
    auto report = check_determinism(racy_program, seed(s, Strategy::kRandom));
    EXPECT_TRUE(report.deterministic) << report.report;
  }
}

// State that leaks from one run into the next: the classic hidden nondeterminism.
int leaked_counter = 0;

TEST(SimulationTest, DeterminismCheckCatchesStateLeakingBetweenRuns) {
  auto program = []() -> Coro<int> {
    const int extra = ++leaked_counter % 2;
    for (int i = 0; i < 1 + extra; ++i) co_await sleep(std::chrono::milliseconds(random_below(3)));
    co_return extra;
  };
  auto report = check_determinism(program, seed(1));
  EXPECT_FALSE(report.deterministic);
  EXPECT_THAT(report.report, HasSubstr("not deterministic"));
}

TEST(SimulationTest, DeterminismCheckCatchesAProgramReadingTheRealClock) {
  auto program = []() -> Coro<int> {
    // Nanoseconds of the real clock decide how many decisions the run makes.
    const auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
    const int n = 1 + static_cast<int>((ns / 64) % 7);
    for (int i = 0; i < n; ++i) co_await sleep(std::chrono::milliseconds(random_below(3)));
    co_return n;
  };
  // Two reads of the clock agree by chance with probability about 1/7 per attempt.
  bool caught = false;
  for (std::uint64_t attempt = 0; attempt < 20 && !caught; ++attempt)
    caught = !check_determinism(program, seed(attempt)).deterministic;
  EXPECT_TRUE(caught);
}

TEST(SimulationTest, ASeedSweepRunsEverySeedOnceAndListsTheFailures) {
  auto program = []() -> Coro<int> {
    if (random_chance(1, 5)) throw std::runtime_error("unlucky");
    co_return 1;
  };
  std::vector<std::uint64_t> seen;
  SeedSweep sweep = simulate_seeds(program, 100, 50, seed(0),
                                   [&](const SimulationResult<int>& r) { seen.push_back(r.seed); });
  EXPECT_EQ(sweep.runs, 50u);
  ASSERT_EQ(seen.size(), 50u);
  for (std::uint64_t i = 0; i < 50; ++i) EXPECT_EQ(seen[i], 100 + i);
  EXPECT_GT(sweep.failing_seeds.size(), 3u);
  EXPECT_LT(sweep.failing_seeds.size(), 20u);
  for (std::uint64_t s : sweep.failing_seeds) EXPECT_FALSE(simulate(program, seed(s)).outcome.ok());
  SeedSweep first = simulate_seeds(
      program, 100, 50, seed(0), [](const auto&) {}, true);
  EXPECT_EQ(first.failing_seeds.size(), 1u);
  EXPECT_EQ(first.failing_seeds[0], sweep.failing_seeds[0]);
  EXPECT_EQ(first.runs, sweep.failing_seeds[0] - 100 + 1);
}

TEST(SimulationTest, RandomOutsideASimulationStillWorks) {
  for (int i = 0; i < 100; ++i) EXPECT_LT(random_below(10), 10u);
  EXPECT_EQ(random_duration(Duration::zero()), Duration::zero());
}

TEST(SimulationTest, ExecutorJobsTakeDecidedDurations) {
  auto program = []() -> Coro<double> {
    const TimePoint start = Loop::current()->time();
    co_await to_thread([] { return 1; });
    co_return to_seconds(Loop::current()->time() - start);
  };
  std::set<double> durations;
  for (std::uint64_t s = 0; s < 10; ++s) {
    auto r = simulate(program, seed(s));
    durations.insert(r.outcome.value());
    bool has_job = false;
    for (const Decision& d : r.decisions) has_job = has_job || d.kind == DecisionKind::kJobDuration;
    EXPECT_TRUE(has_job);
    EXPECT_EQ(replay(program, r.decisions, seed(s)).outcome.value(), r.outcome.value());
  }
  EXPECT_GT(durations.size(), 5u);
}

// For random task programs: recording then replaying gives the identical run.
RC_GTEST_PROP(SimulationLaws, RecordThenReplayIsIdentical, ()) {
  const auto sleeps = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 20));
  const auto s = *rc::gen::arbitrary<std::uint64_t>();
  const auto kind =
      *rc::gen::element(Strategy::kFifo, Strategy::kFaithful, Strategy::kRandom, Strategy::kPct);
  auto program = [&sleeps]() -> Coro<std::string> {
    std::string log;
    std::vector<Task<void>> tasks;
    for (std::size_t i = 0; i < sleeps.size(); ++i) {
      tasks.push_back(create_task([](int ms, std::size_t i, std::string* log) -> Coro<void> {
        co_await sleep(std::chrono::milliseconds(ms));
        *log += std::to_string(i) + "@" + std::to_string(to_seconds(Loop::current()->time())) + " ";
        if (random_chance(1, 3)) co_await sleep(0s);
        *log += std::to_string(i) + " ";
      }(sleeps[i], i, &log)));
    }
    co_await gather(tasks);
    co_return log;
  };
  auto run = simulate(program, seed(s, kind));
  auto again = replay(program, run.decisions, seed(s, kind));
  RC_ASSERT(!again.divergence);
  RC_ASSERT(again.replay_complete);
  RC_ASSERT(again.outcome.value() == run.outcome.value());
  RC_ASSERT(again.decisions == run.decisions);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// A child that fails and is never awaited; main returns normally.
Coro<int> forgets_a_failing_child() {
  {
    auto child = create_task(
        []() -> Coro<void> {
          co_await sleep(1ms);
          throw std::runtime_error("unseen");
        }(),
        "child");
  }
  co_await sleep(5ms);
  co_return 7;
}

TEST(UnretrievedErrorsTest, WarnKeepsAsyncioBehaviourFailNamesTheTaskAndTheError) {
  std::vector<std::string> reported;
  SimulationOptions o;
  o.exception_handler = [&](Loop&, const ExceptionContext& c) { reported.push_back(c.message); };
  auto warned = simulate(forgets_a_failing_child, o);
  ASSERT_TRUE(warned.outcome.ok());
  EXPECT_EQ(warned.outcome.value(), 7);
  EXPECT_THAT(reported, ::testing::ElementsAre("Task exception was never retrieved"));

  o.unretrieved_errors = UnretrievedErrors::kFail;
  auto failed = simulate(forgets_a_failing_child, o);
  ASSERT_FALSE(failed.outcome.ok());
  const std::string error = describe_exception(failed.outcome.exception());
  EXPECT_THAT(error, HasSubstr("UnretrievedError: Task 'child' failed and nobody retrieved its "
                               "exception (Task exception was never retrieved): "
                               "std::runtime_error: unseen"));
  EXPECT_EQ(reported.size(), 2u);  // the handler still hears of it
  // The failure replays.
  auto again = replay(forgets_a_failing_child, failed.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(describe_exception(again.outcome.exception()), error);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

std::size_t count_random(const std::vector<Decision>& decisions) {
  return std::count_if(decisions.begin(), decisions.end(),
                       [](const Decision& d) { return d.kind == DecisionKind::kRandom; });
}

// Draws n durations from `draw` under one simulation; returns them and the decisions.
template <class Draw>
std::pair<std::vector<Duration>, std::vector<Decision>> draws(std::uint64_t seed, int n,
                                                              Draw draw) {
  std::vector<Duration> out;
  SimulationOptions o;
  o.seed = seed;
  auto run = simulate(
      [&]() -> Coro<void> {
        for (int i = 0; i < n; ++i) out.push_back(draw());
        co_return;
      },
      o);
  return {out, run.decisions};
}

TEST(RandomDistributionsTest, LogUniformCoversEveryDecadeAlikeAndShrinksToMin) {
  auto [d, decisions] = draws(1, 3000, [] { return random_log_uniform(1ms, 1s); });
  int decade[3] = {0, 0, 0};  // [1ms,10ms), [10ms,100ms), [100ms,1s]
  for (Duration x : d) {
    ASSERT_GE(x, 1ms);
    ASSERT_LE(x, 1s);
    ++decade[x < 10ms ? 0 : x < 100ms ? 1 : 2];
  }
  for (int c : decade)
    EXPECT_NEAR(c, 1000, 120) << decade[0] << " " << decade[1] << " " << decade[2];
  // A uniform draw over [0, 1s] would put ~1% below 10ms.
  // Every draw is one recorded decision; all-zero decisions give the minimum.
  EXPECT_EQ(count_random(decisions), 3000u);
  std::vector<Decision> zero = decisions;
  for (Decision& z : zero) z.value = 0;
  std::vector<Duration> got;
  replay(
      [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) got.push_back(random_log_uniform(1ms, 1s));
        co_return;
      },
      zero);
  EXPECT_THAT(got, ::testing::ElementsAre(1ms, 1ms, 1ms));
}

TEST(RandomDistributionsTest, HeavyTailedIsMostlyNearMinWithARareLongTail) {
  auto [d, decisions] = draws(2, 10000, [] { return random_heavy_tailed(2ms, 500ms, 1.5); });
  int over10x = 0, over100x = 0, under2x = 0;
  for (Duration x : d) {
    ASSERT_GE(x, 2ms);
    ASSERT_LE(x, 500ms);
    under2x += x < 4ms;
    over10x += x > 20ms;
    over100x += x > 200ms;
  }
  // Pareto(alpha 1.5): P(X > k min) = k^-1.5.
  EXPECT_NEAR(under2x, 10000 * (1 - 0.354), 200);
  EXPECT_NEAR(over10x, 10000 * 0.0316, 60);
  EXPECT_NEAR(over100x, 10000 * 0.001, 10);
  EXPECT_EQ(count_random(decisions), 10000u);
}

TEST(RandomDistributionsTest, BadRangesAreRefusedClearly) {
  EXPECT_THROW(random_log_uniform(0ms, 1s), std::invalid_argument);
  EXPECT_THROW(random_log_uniform(2s, 1s), std::invalid_argument);
  EXPECT_THROW(random_heavy_tailed(1ms, 1s, 0), std::invalid_argument);
  EXPECT_EQ(random_log_uniform(5ms, 5ms), 5ms);
  EXPECT_EQ(random_heavy_tailed(5ms, 5ms), 5ms);
}

TEST(NowTest, IsTheRunningLoopsClock) {
  EXPECT_THROW(now(), RuntimeError);
  auto run = simulate([]() -> Coro<Duration> {
    const TimePoint start = now();
    co_await sleep(250ms);
    co_return now() - start;
  });
  ASSERT_TRUE(run.outcome.ok());
  // Never early; late by at most the timer's delay and the cost of the one step that
  // handles it (faithful defaults: 1ms + 10ms; docs/time.md).
  EXPECT_GE(run.outcome.value(), 250ms);
  EXPECT_LE(run.outcome.value(), 261ms);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// docs/time.md's table, checked over many seeds for a quiet program (n = 0, c = 0):
// never early; a sleep or a timeout late by at most max_timer_delay + max_step_cost.
// fifo: exactly on time.
TEST(TimeBoundsTest, SleepsAndTimeoutsAreLateByAtMostTheDocumentedSlack) {
  Duration worst_sleep{}, worst_timeout{};
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    SimulationOptions o;
    o.seed = seed;
    o.strategy.step_cost_percent = 50;  // make late steps common
    o.strategy.timer_delay_percent = 50;
    auto run = simulate(
        []() -> Coro<std::pair<Duration, Duration>> {
          TimePoint start = now();
          co_await sleep(400ms);
          const Duration slept = now() - start - 400ms;
          start = now();
          try {
            co_await wait_for([]() -> Coro<void> { co_await sleep(1s); }(), 400ms);
          } catch (const TimeoutError&) {
          }
          co_return std::pair(slept, now() - start - 400ms);
        },
        o);
    ASSERT_TRUE(run.outcome.ok());
    const auto [slept, timed_out] = run.outcome.value();
    ASSERT_GE(slept, Duration::zero()) << "seed " << seed;
    ASSERT_GE(timed_out, Duration::zero()) << "seed " << seed;
    worst_sleep = std::max(worst_sleep, slept);
    worst_timeout = std::max(worst_timeout, timed_out);
  }
  EXPECT_LE(worst_sleep, 1ms + 10ms);
  EXPECT_LE(worst_timeout, 1ms + 10ms);
  EXPECT_GT(worst_sleep, 5ms);  // the slack is really used
  SimulationOptions fifo;
  fifo.strategy.kind = Strategy::kFifo;
  auto exact = simulate(
      []() -> Coro<Duration> {
        const TimePoint start = now();
        co_await sleep(400ms);
        co_return now() - start;
      },
      fifo);
  EXPECT_EQ(exact.outcome.value(), 400ms);
  std::printf("worst lateness over 3000 seeds: sleep %.3fms, timeout %.3fms\n",
              to_seconds(TimePoint(worst_sleep)) * 1e3, to_seconds(TimePoint(worst_timeout)) * 1e3);
}

}  // namespace
}  // namespace lockstep
