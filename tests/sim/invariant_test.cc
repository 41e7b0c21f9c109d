// Invariants: checked after every step while registered and once more at scope exit; the
// first false check ends the run with a message naming it, the step and the last
// decision; outside a simulation they do nothing.
#include "sim/invariant.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Two tasks move units between two accounts without a lock, across an await: the total
// is off while a transfer is half done. The check sees it after that step.
Coro<int> transfers(int* steps_after) {
  int a = 50, b = 50;
  auto total = invariant("a + b == 100", [&] { return a + b == 100; });
  auto move = [](int* from, int* to, int n) -> Coro<void> {
    *from -= n;
    co_await sleep(1ms);  // half done across an await
    *to += n;
  };
  co_await gather(move(&a, &b, 10), move(&b, &a, 5));
  ++*steps_after;
  co_return a;
}

TEST(InvariantTest, AFalseCheckEndsTheRunAfterThatStepAndSaysWhy) {
  int steps_after = 0;
  SimulationOptions o;
  o.seed = 1;
  auto run = simulate([&] { return transfers(&steps_after); }, o);
  ASSERT_FALSE(run.outcome.ok());
  const std::string e = describe_exception(run.outcome.exception());
  EXPECT_THAT(
      e, StartsWith("lockstep::InvariantViolation: invariant 'a + b == 100' violated after step "));
  // (Seed 1 has made no decision by then: no step cost, no late timer.)
  EXPECT_THAT(e, HasSubstr(" at t=0.000000s\n  no decision had been made yet"));
  EXPECT_EQ(steps_after, 0) << "the run stops at the violating step";
}

TEST(InvariantTest, ACheckFalseAtScopeExitFailsARunWhoseMainReturned) {
  SimulationOptions o;
  auto run = simulate(
      []() -> Coro<int> {
        int open = 0;
        {
          auto closed = invariant("every file closed", [&] { return open == 0; });
          co_await sleep(1ms);
          ++open;  // no step ends between this and the scope's end
        }
        co_return 0;
      },
      o);
  ASSERT_FALSE(run.outcome.ok());
  EXPECT_THAT(describe_exception(run.outcome.exception()),
              HasSubstr("invariant 'every file closed' violated when it went out of scope"));
}

TEST(InvariantTest, ChecksThatHoldChangeNothing) {
  SimulationOptions o;
  o.seed = 4;
  auto program = []() -> Coro<int> {
    int n = 0;
    auto positive = invariant("n >= 0", [&] { return n >= 0; });
    for (int i = 0; i < 10; ++i) {
      co_await sleep(1ms);
      ++n;
    }
    co_return n;
  };
  auto with = simulate(program, o);
  EXPECT_EQ(with.outcome.value(), 10);
  auto again = replay(program, with.decisions, o);
  EXPECT_FALSE(again.divergence);
}

TEST(InvariantTest, OutsideASimulationNothingIsChecked) {
  int checks = 0;
  run([&]() -> Coro<void> {
    auto never = invariant("never run", [&] {
      ++checks;
      return false;
    });
    co_await sleep(1ms);
  }());
  EXPECT_EQ(checks, 0);
}

TEST(InvariantTest, AViolationShrinksAndReplaysLikeAnyFailure) {
  int steps_after = 0;
  auto program = [&] { return transfers(&steps_after); };
  SimulationOptions o;
  o.seed = 2;
  auto run = simulate(program, o);
  ASSERT_FALSE(run.outcome.ok());
  auto small = shrink(program, run.decisions, o);
  EXPECT_EQ(small.non_default_after, 0u) << small.summary;  // fails under plain asyncio
  EXPECT_THAT(small.failure, HasSubstr("invariant 'a + b == 100'"));
  auto again = replay(program, small.run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_FALSE(again.outcome.ok());
}

}  // namespace
}  // namespace lockstep
