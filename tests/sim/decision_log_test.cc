// DecisionLog: what goes in comes out, in order and by index, across checkpoints and
// blocks, in a few bytes per typical decision.
#include "sim/decision_log.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

// Arbitrary decisions: any kind byte (escaped ones included), any site, bound, value,
// task and time (backwards too), with runs of equal fields as real streams have.
rc::Gen<Decision> arbitrary_decision() {
  return rc::gen::apply(
      [](std::uint8_t kind, std::uint64_t site, std::uint64_t bound, std::uint64_t value,
         std::int64_t time_ns, bool task_is_site, std::uint64_t task) {
        return Decision{
            static_cast<DecisionKind>(kind), site, bound, value, TimePoint(Duration(time_ns)),
            task_is_site ? site : task};
      },
      rc::gen::arbitrary<std::uint8_t>(),
      rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, 4), rc::gen::arbitrary<std::uint64_t>()),
      rc::gen::oneOf(rc::gen::just<std::uint64_t>(10'000'000), rc::gen::arbitrary<std::uint64_t>()),
      rc::gen::oneOf(rc::gen::just<std::uint64_t>(0), rc::gen::arbitrary<std::uint64_t>()),
      rc::gen::oneOf(rc::gen::just<std::int64_t>(5), rc::gen::arbitrary<std::int64_t>()),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint64_t>());
}

RC_GTEST_PROP(DecisionLogTest, WhatGoesInComesOutInOrderAndByIndex, ()) {
  const auto count = *rc::gen::inRange<std::size_t>(0, 300);
  const auto decisions = *rc::gen::container<std::vector<Decision>>(count, arbitrary_decision());
  const DecisionLog log(decisions);
  RC_ASSERT(log.size() == decisions.size());
  RC_ASSERT(log.to_vector() == decisions);
  for (std::size_t i = 0; i < decisions.size(); ++i) RC_ASSERT(log[i] == decisions[i]);
  if (!decisions.empty()) RC_ASSERT(log.back() == decisions.back());
  const DecisionLog copy = log;
  RC_ASSERT(copy == log);
  std::vector<Decision> other = decisions;
  if (!other.empty()) {
    other.back().value ^= 1;
    RC_ASSERT(!(DecisionLog(other) == log));
  }
}

TEST(DecisionLogTest, ManyBlocksRoundTripAndTypicalStepsTakeAFewBytes) {
  DecisionLog log;
  std::vector<Decision> want;
  // A faithful run's shape: step costs of a few tasks, mostly 0, time moving now and then.
  for (std::uint64_t i = 0; i < 300'000; ++i) {
    const std::uint64_t task = 1 + i % 7;
    Decision d{DecisionKind::kStepCost,
               task,
               10'000'000,
               i % 10 == 0 ? 1234 + i : 0,
               TimePoint(Duration(static_cast<std::int64_t>(i / 3))),
               task};
    log.push_back(d);
    want.push_back(d);
  }
  EXPECT_EQ(log.size(), want.size());
  EXPECT_GT(log.bytes_reserved(), 256u * 1024);  // several blocks
  EXPECT_LT(log.bytes_used(), want.size() * 6);
  EXPECT_LE(log.bytes_used(), log.bytes_reserved());
  std::size_t i = 0;
  for (const Decision& d : log) ASSERT_EQ(d, want[i++]) << "at " << i - 1;
  EXPECT_EQ(i, want.size());
  // By index too, every one: a checkpoint's group of 64 records may go on in the next
  // block, and log[i] must follow it there as iteration does.
  for (std::size_t k = 0; k < want.size(); ++k) ASSERT_EQ(log[k], want[k]) << "log[" << k << "]";
}

TEST(DecisionLogTest, ASimulationKeepsOnlyTheStepsThatCostTime) {
  constexpr std::uint64_t kSteps = 100'000;
  auto program = []() -> Coro<int> {
    for (std::uint64_t i = 0; i < kSteps; ++i) co_await lockstep::sleep(Duration::zero());
    co_return 1;
  };
  SimulationOptions o;
  o.seed = 3;
  auto run = simulate(program, o);
  // step_cost_percent is 10: about one step in ten is a decision, each saying which step
  // of main (task 1) it was.
  EXPECT_GT(run.decisions.size(), kSteps / 20);
  EXPECT_LT(run.decisions.size(), kSteps / 5);
  // (A few are the loop's own callbacks around main, site 0, numbered apart.)
  std::uint64_t last_step[2] = {0, 0};
  for (const Decision& d : run.decisions) {
    ASSERT_EQ(d.kind, DecisionKind::kStepCost);
    ASSERT_NE(d.value, 0u) << "a step that cost nothing is no decision";
    ASSERT_LE(d.site, 1u);
    ASSERT_GT(d.ordinal, last_step[d.site]);
    last_step[d.site] = d.ordinal;
  }
  EXPECT_LE(last_step[1], kSteps + 2);
  // Under two bytes a step (three when every step was a decision; 48 as a vector).
  EXPECT_LT(run.decisions.bytes_used(), 2 * kSteps) << run.decisions.bytes_used();
  auto again = replay(program, run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_TRUE(again.replay_complete);
  EXPECT_EQ(again.decisions, run.decisions);
}

}  // namespace
}  // namespace lockstep
