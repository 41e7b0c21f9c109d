// Fault points: false outside a simulation; under one, FoundationDB's two levels (a site
// enabled once per run, then firing with its probability), recorded and replayed, drawn
// from a stream of their own so that fault points that never fire change nothing else.
#include "faults/buggify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "faults/coverage.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Reaches one fault point `reaches` times; returns how often it fired.
Coro<int> reach_one_site(int reaches) {
  int fired = 0;
  for (int i = 0; i < reaches; ++i) {
    if (buggify()) ++fired;
    co_await sleep(1ms);
  }
  co_return fired;
}

SimulationOptions seed(std::uint64_t s) {
  SimulationOptions o;
  o.seed = s;
  return o;
}

std::vector<Decision> of_kind(const std::vector<Decision>& ds, DecisionKind kind) {
  std::vector<Decision> out;
  for (const Decision& d : ds)
    if (d.kind == kind) out.push_back(d);
  return out;
}

TEST(BuggifyTest, OutsideASimulationItIsFalseAndProbesAreNoOps) {
  int fired = run(reach_one_site(200));
  EXPECT_EQ(fired, 0);
  probe("nothing happens");
}

TEST(BuggifyTest, ASiteIsEnabledOncePerRunThenFiresWithItsProbability) {
  int enabled_runs = 0, reaches_in_enabled = 0, fired_in_enabled = 0;
  for (std::uint64_t s = 0; s < 200; ++s) {
    auto run = simulate([] { return reach_one_site(100); }, seed(s));
    const auto faults = of_kind(run.decisions, DecisionKind::kFault);
    ASSERT_FALSE(faults.empty());
    if (faults[0].value == 0) {
      EXPECT_EQ(faults.size(), 1u) << "a disabled site decides nothing more";
      EXPECT_EQ(run.outcome.value(), 0);
      continue;
    }
    ++enabled_runs;
    EXPECT_EQ(faults.size(), 101u) << "an activation, then one decision per reach";
    reaches_in_enabled += 100;
    fired_in_enabled += run.outcome.value();
    EXPECT_EQ(run.faults_fired.begin()->second, static_cast<std::uint64_t>(run.outcome.value()));
    EXPECT_THAT(run.faults_fired.begin()->first, HasSubstr("buggify_test.cc:"));
  }
  // Binomial(200, 0.25) and Binomial(n, 0.25): wide bounds, exact for these seeds anyway.
  EXPECT_GT(enabled_runs, 30);
  EXPECT_LT(enabled_runs, 75);
  const double rate = static_cast<double>(fired_in_enabled) / reaches_in_enabled;
  EXPECT_GT(rate, 0.2);
  EXPECT_LT(rate, 0.3);
}

TEST(BuggifyTest, AnExplicitProbabilityIsUsedOnceTheSiteIsEnabled) {
  SimulationOptions o = seed(1);
  o.strategy.faults.enable_probability = 1.0;
  auto always = simulate(
      []() -> Coro<int> {
        int n = 0;
        for (int i = 0; i < 50; ++i) n += buggify(1.0);
        co_return n;
      },
      o);
  EXPECT_EQ(always.outcome.value(), 50);
  auto never = simulate(
      []() -> Coro<int> {
        int n = 0;
        for (int i = 0; i < 50; ++i) n += buggify(0.0);
        co_return n;
      },
      o);
  EXPECT_EQ(never.outcome.value(), 0);
}

TEST(BuggifyTest, FaultPointsReplayAndCanBeSwitchedOff) {
  auto program = [] { return reach_one_site(50); };
  for (std::uint64_t s = 0; s < 20; ++s) {
    auto run = simulate(program, seed(s));
    auto again = replay(program, run.decisions, seed(s));
    EXPECT_FALSE(again.divergence);
    EXPECT_EQ(again.outcome.value(), run.outcome.value());
  }
  SimulationOptions off = seed(3);
  off.strategy.faults.enabled = false;
  auto run = simulate(program, off);
  EXPECT_EQ(run.outcome.value(), 0);
  EXPECT_TRUE(of_kind(run.decisions, DecisionKind::kFault).empty());
}

// For random programs: fault points that are never enabled leave every other decision
// and the outcome exactly as with no fault points at all.
RC_GTEST_PROP(BuggifyLaws, FaultPointsThatNeverFireChangeNothingElse, ()) {
  const auto sleeps = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 10));
  const auto s = *rc::gen::arbitrary<std::uint64_t>();
  auto program = [&sleeps]() -> Coro<std::string> {
    std::string log;
    std::vector<Task<void>> tasks;
    for (std::size_t i = 0; i < sleeps.size(); ++i)
      tasks.push_back(create_task([](int ms, std::size_t i, std::string* log) -> Coro<void> {
        if (buggify()) *log += "!";
        co_await sleep(std::chrono::milliseconds(ms + random_below(3)));
        if (buggify(0.5)) *log += "?";
        *log += std::to_string(i);
      }(sleeps[i], i, &log)));
    co_await gather(tasks);
    co_return log;
  };
  SimulationOptions never = seed(s), none = seed(s);
  never.strategy.faults.enable_probability = 0;
  none.strategy.faults.enabled = false;
  auto a = simulate(program, never);
  auto b = simulate(program, none);
  std::vector<Decision> a_rest;
  for (const Decision& d : a.decisions)
    if (d.kind != DecisionKind::kFault) a_rest.push_back(d);
  RC_ASSERT(a_rest == b.decisions);
  RC_ASSERT(a.outcome.value() == b.outcome.value());
}

TEST(CoverageTest, ASweepReportsProbesAndFaultSites) {
  Coverage coverage;
  coverage.expect_probe("never");
  auto program = []() -> Coro<void> {
    probe("always");
    if (random_below(4) == 0) probe("sometimes");
    if (buggify()) probe("after a fault");
    co_return;
  };
  SimulationOptions o;
  simulate_seeds(program, 0, 100, o, [&](const auto& run) { coverage.add(run); });
  EXPECT_EQ(coverage.runs(), 100u);
  EXPECT_EQ(coverage.probes().at("always").runs, 100u);
  EXPECT_GT(coverage.probes().at("sometimes").runs, 0u);
  EXPECT_LT(coverage.probes().at("sometimes").runs, 100u);
  EXPECT_EQ(coverage.probes().at("never").runs, 0u);
  ASSERT_EQ(coverage.faults_reached().size(), 1u);
  EXPECT_EQ(coverage.faults_reached().begin()->second.runs, 100u);
  EXPECT_EQ(coverage.faults_fired().begin()->second.runs,
            coverage.probes().at("after a fault").runs);
  const std::string report = coverage.report();
  EXPECT_THAT(report, HasSubstr("probe 'always': reached in 100 of 100 runs (100 times)"));
  EXPECT_THAT(report, HasSubstr("probe 'never': never reached"));
  EXPECT_THAT(report, HasSubstr("fault tests/faults/buggify_test.cc:"));
  EXPECT_THAT(report, HasSubstr(", reached in 100"));
}

}  // namespace
}  // namespace lockstep
