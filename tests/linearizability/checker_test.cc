// The checker on hand-built histories whose verdicts are known (some from Porcupine's and
// the linearizability literature's examples), the explanation of a failure, the budget.
#include "sim/linearizability/checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/linearizability/models.h"
#include "tests/linearizability/brute_force.h"
#include "tests/linearizability/ops.h"

namespace lockstep::lin {
namespace {

using testing::brute_force_linearizable;
using testing::cas;
using ::testing::ElementsAre;
using testing::fail;
using ::testing::HasSubstr;
using testing::info;
using testing::make;
using testing::on;
using testing::r;
using testing::w;

const Register kZero{.initial = Value(0)};

template <Model M>
Verdict verdict(const History& h, const M& m) {
  const CheckResult result = check(h, m);
  // Every hand-built history is small enough for the brute force to agree.
  EXPECT_EQ(result.linearizable(), brute_force_linearizable(h, m)) << result.text;
  return result.verdict;
}

// Porcupine's README/tests: put(100) [0,100]; get()->100 [25,75]; get()->0 [30,60].
TEST(Checker, PorcupineRegisterExampleIsLinearizable) {
  EXPECT_EQ(verdict({w(0, 0, 100, 0, 100), r(1, 1, Value(100), 25, 75), r(2, 2, Value(0), 30, 60)},
                    kZero),
            Verdict::kLinearizable);
}

// Porcupine's: put(200) [0,100]; get()->200 [10,30]; get()->0 [40,90]: the second read
// comes after one that saw 200, so it cannot see 0.
TEST(Checker, PorcupineRegisterCounterexampleIsNot) {
  const History h = {w(0, 0, 200, 0, 100), r(1, 1, Value(200), 10, 30), r(2, 2, Value(0), 40, 90)};
  EXPECT_EQ(verdict(h, kZero), Verdict::kNotLinearizable);
  const CheckResult result = check(h, kZero);
  EXPECT_THAT(result.involved, ElementsAre(1, 2));  // the two reads, the write may be unknown
  EXPECT_THAT(result.text, HasSubstr("#2 client 2 read [40, 90] -> 0"));
}

// Budget::explain = false: the same verdict and partition, no prefix or involved set
// (what a sweep or a shrinker needs), and a text that says so.
TEST(Checker, WithoutExplainingTheVerdictStands) {
  const History h = {w(0, 0, 200, 0, 100), r(1, 1, Value(200), 10, 30), r(2, 2, Value(0), 40, 90)};
  Budget quick;
  quick.explain = false;
  const CheckResult result = check(h, kZero, quick);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_TRUE(result.prefix.empty());
  EXPECT_TRUE(result.involved.empty());
  EXPECT_THAT(result.text, HasSubstr("not explained: Budget::explain is off"));
  EXPECT_FALSE(check(h, kZero).prefix.empty());
}

TEST(Checker, EmptyHistoryIsLinearizable) {
  EXPECT_EQ(check(History{}, Register{}).verdict, Verdict::kLinearizable);
}

TEST(Checker, SequentialReadOfAnotherValueIsNot) {
  EXPECT_EQ(verdict({w(0, 0, 1, 0, 10), r(1, 0, Value(2), 20, 30)}, Register{}),
            Verdict::kNotLinearizable);
}

TEST(Checker, StaleReadAfterASecondWriteIsNot) {
  const History h = {w(0, 0, 1, 0, 10), w(1, 0, 2, 20, 30), r(2, 1, Value(1), 40, 50)};
  EXPECT_EQ(verdict(h, Register{}), Verdict::kNotLinearizable);
  EXPECT_THAT(check(h, Register{}).involved, ElementsAre(0, 1, 2));
}

TEST(Checker, ConcurrentWritesMayBeSeenInEitherOrder) {
  EXPECT_EQ(verdict({w(0, 0, 1, 0, 50), w(1, 1, 2, 0, 50), r(2, 2, Value(1), 60, 70)}, Register{}),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict({w(0, 0, 1, 0, 50), w(1, 1, 2, 0, 50), r(2, 2, Value(2), 60, 70)}, Register{}),
            Verdict::kLinearizable);
}

// Operations that touch (one returns when the other is invoked) are concurrent.
TEST(Checker, TouchingOperationsAreConcurrent) {
  EXPECT_EQ(verdict({r(0, 0, Value(1), 0, 10), w(1, 1, 1, 10, 20)}, Register{}),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict({r(0, 0, Value(1), 0, 9), w(1, 1, 1, 10, 20)}, Register{}),
            Verdict::kNotLinearizable);
}

TEST(Checker, AnUnknownWriteMayTakeEffectLate) {
  EXPECT_EQ(verdict({info(w(0, 0, 1, 0, 0)), r(1, 1, kNil, 10, 20), r(2, 1, Value(1), 100, 110)},
                    Register{}),
            Verdict::kLinearizable);
}

TEST(Checker, AnUnknownWriteMayNeverTakeEffect) {
  EXPECT_EQ(verdict({info(w(0, 0, 1, 0, 0)), r(1, 1, kNil, 1000, 2000)}, Register{}),
            Verdict::kLinearizable);
}

TEST(Checker, AnUnknownWriteStaysOnceSeen) {
  EXPECT_EQ(verdict({info(w(0, 0, 1, 0, 0)), r(1, 1, Value(1), 10, 20), r(2, 1, kNil, 30, 40)},
                    Register{}),
            Verdict::kNotLinearizable);
}

TEST(Checker, AnUnknownWriteCannotTakeEffectBeforeItsInvocation) {
  EXPECT_EQ(verdict({r(0, 1, Value(1), 0, 10), info(w(1, 0, 1, 20, 0))}, Register{}),
            Verdict::kNotLinearizable);
}

TEST(Checker, AFailedWriteNeverHappened) {
  EXPECT_EQ(verdict({fail(w(0, 0, 1, 0, 10)), r(1, 1, Value(1), 20, 30)}, Register{}),
            Verdict::kNotLinearizable);
}

TEST(Checker, TwoConcurrentCasFromTheSameValueCannotBothSucceed) {
  EXPECT_EQ(
      verdict({w(0, 0, 0, 0, 10), cas(1, 1, 0, 1, 20, 30), cas(2, 2, 0, 2, 20, 30)}, Register{}),
      Verdict::kNotLinearizable);
  EXPECT_EQ(verdict({w(0, 0, 0, 0, 10), cas(1, 1, 0, 1, 20, 30), fail(cas(2, 2, 0, 2, 20, 30)),
                     r(3, 0, Value(1), 40, 50)},
                    Register{}),
            Verdict::kLinearizable);
}

TEST(Checker, AnUnknownCasEitherSucceededOrDidNotHappen) {
  EXPECT_EQ(verdict({w(0, 0, 0, 0, 10), info(cas(1, 1, 0, 5, 20, 0)), r(2, 0, Value(5), 40, 50)},
                    Register{}),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict({w(0, 0, 0, 0, 10), info(cas(1, 1, 0, 5, 20, 0)), r(2, 0, Value(0), 40, 50)},
                    Register{}),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict({w(0, 0, 0, 0, 10), info(cas(1, 1, 0, 5, 20, 0)), r(2, 0, Value(6), 40, 50)},
                    Register{}),
            Verdict::kNotLinearizable);
}

Op enq(int id, int client, std::int64_t v, std::int64_t invoke, std::int64_t ret) {
  return make(id, client, "enqueue", {v}, invoke, ret);
}
Op deq(int id, int client, Value v, std::int64_t invoke, std::int64_t ret) {
  return make(id, client, "dequeue", {}, invoke, ret, v);
}

// Herlihy and Wing's queue examples: sequential enqueues come out in order; concurrent
// ones in either order, but then consistently.
TEST(Checker, QueueOrderFollowsRealTime) {
  EXPECT_EQ(verdict({enq(0, 0, 1, 0, 10), enq(1, 1, 2, 20, 30), deq(2, 0, Value(2), 40, 50)},
                    FifoQueue{}),
            Verdict::kNotLinearizable);
  EXPECT_EQ(verdict({enq(0, 0, 1, 0, 30), enq(1, 1, 2, 0, 30), deq(2, 0, Value(2), 40, 50),
                     deq(3, 0, Value(1), 60, 70)},
                    FifoQueue{}),
            Verdict::kLinearizable);
  EXPECT_EQ(verdict({enq(0, 0, 1, 0, 30), enq(1, 1, 2, 0, 30), deq(2, 0, Value(2), 40, 50),
                     deq(3, 0, Value(2), 60, 70)},
                    FifoQueue{}),
            Verdict::kNotLinearizable);
  EXPECT_EQ(
      verdict({deq(0, 0, kNil, 0, 10), enq(1, 1, 2, 20, 30), deq(2, 0, kNil, 40, 50)}, FifoQueue{}),
      Verdict::kNotLinearizable);
}

TEST(Checker, AnUnknownDequeueTakesTheHeadOrNothing) {
  EXPECT_EQ(verdict({enq(0, 0, 1, 0, 10), enq(1, 0, 2, 20, 30), info(deq(2, 1, kNil, 40, 0)),
                     deq(3, 2, Value(2), 50, 60)},
                    FifoQueue{}),
            Verdict::kLinearizable);
  EXPECT_EQ(
      verdict({enq(0, 0, 1, 0, 10), info(deq(1, 1, kNil, 20, 0)), deq(2, 2, Value(2), 50, 60)},
              FifoQueue{}),
      Verdict::kNotLinearizable);
}

TEST(Checker, KvChecksEachKeyAloneAndNamesTheFailingOne) {
  const History h = {on("x", w(0, 0, 1, 0, 10)), on("y", w(1, 1, 1, 0, 10)),
                     on("x", r(2, 0, Value(1), 20, 30)), on("y", r(3, 1, Value(2), 20, 30))};
  const CheckResult result = check(h, KvMap{});
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.partition, "y");
  EXPECT_EQ(result.partitions, 2u);
  EXPECT_THAT(result.text, HasSubstr("partition \"y\""));
  // The same operations on one register are not partitioned: then x's write explains y's read.
  EXPECT_EQ(check(h, Register{}).verdict, Verdict::kNotLinearizable);
  const History ok = {on("x", w(0, 0, 1, 0, 10)), on("y", r(1, 1, kNil, 20, 30))};
  EXPECT_EQ(check(ok, KvMap{}).verdict, Verdict::kLinearizable);
  EXPECT_EQ(check(ok, Register{}).verdict, Verdict::kNotLinearizable);
}

TEST(Checker, TheSmallestIllegalPrefixEndsAtTheFirstUnexplainableReturn) {
  History h;
  int id = 0;
  for (int i = 0; i < 10; ++i) h.push_back(w(id++, 0, i, 100 * i, 100 * i + 10));
  h.push_back(r(id++, 1, Value(3), 1000, 1010));  // stale: 9 was written last
  const int bad = id - 1;
  for (int i = 0; i < 10; ++i) h.push_back(w(id++, 0, i, 2000 + 100 * i, 2000 + 100 * i + 10));
  const CheckResult result = check(h, Register{});
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_EQ(result.prefix.size(), 11u);
  EXPECT_EQ(result.prefix.back().id, bad);
  // The read of 3 and two writes known to come after 3 was written: 3 and 4.
  EXPECT_THAT(result.involved, ElementsAre(3, 4, bad));
  EXPECT_EQ(result.linearized.size(), 10u);
  EXPECT_EQ(result.state_after, "9");
  EXPECT_THAT(result.text, HasSubstr("smallest illegal prefix: the 11 operations up to time 1010"));
}

TEST(Checker, OperationsRunningAtTheCutCountAsUnknownInThePrefix) {
  // A long write runs across the bad read; in the prefix it is unknown.
  const History h = {w(0, 0, 1, 0, 10), w(1, 2, 5, 5, 500), r(2, 1, Value(7), 20, 30),
                     r(3, 1, Value(5), 600, 700)};
  const CheckResult result = check(h, Register{});
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable);
  ASSERT_EQ(result.prefix.size(), 3u);
  EXPECT_EQ(result.prefix[1].outcome, Outcome::kInfo);
  EXPECT_THAT(result.involved, ElementsAre(2));  // a read of 7, never written
}

TEST(Checker, RunsOutOfStatesWithUnknownAndTheReason) {
  History h;  // many concurrent writes and a read nobody wrote: a large search
  for (int i = 0; i < 16; ++i) h.push_back(w(i, i, i, 0, 100));
  h.push_back(r(16, 16, Value(99), 200, 300));
  Budget b;
  b.max_states = 1000;
  const CheckResult result = check(h, Register{}, b);
  EXPECT_EQ(result.verdict, Verdict::kUnknown);
  EXPECT_THAT(result.reason, HasSubstr("more than 1000 states"));
  EXPECT_THAT(result.text, HasSubstr("unknown"));
}

// Explaining runs up to a few hundred searches; together they get kExplainStatesFactor
// times max_states, and an explanation cut short says so and still holds. (Without the cap
// a kv history with many unknown outcomes took minutes to explain.)
TEST(Checker, ExplainingSpendsABoundedBudgetAndSaysWhenItWasCutShort) {
  History h;  // seven concurrent enqueues (5040 orders) and a dequeue of what nobody enqueued
  for (int i = 0; i < 7; ++i) h.push_back(enq(i, i, i, 0, 100));
  h.push_back(deq(7, 7, Value(99), 200, 300));
  const CheckResult full = check(h, FifoQueue{});
  ASSERT_EQ(full.verdict, Verdict::kNotLinearizable);
  EXPECT_FALSE(full.explanation_cut_short);
  EXPECT_THAT(full.involved, ElementsAre(7));
  Budget tight;  // room for the verdict's search, not for the half dozen more explaining needs
  tight.max_states = full.states + 1;
  const CheckResult cut = check(h, FifoQueue{}, tight);
  ASSERT_EQ(cut.verdict, Verdict::kNotLinearizable);
  EXPECT_TRUE(cut.explanation_cut_short);
  EXPECT_THAT(cut.text, HasSubstr("explanation cut short by the budget"));
  ASSERT_FALSE(cut.prefix.empty());
  EXPECT_FALSE(cut.involved.empty());
  EXPECT_EQ(check(cut.prefix, FifoQueue{}).verdict, Verdict::kNotLinearizable);
  // The longest linearization comes first, so it survives a cut.
  EXPECT_EQ(cut.linearized.size(), 7u);
}

// Unknown writes made the search exponential (any subset may have happened): fourteen of
// them around a stale read cost 376,832 states. Taken after the known operations, a write
// over a write skipped and points pruned by dominance, thirty cost 92.
TEST(Checker, ManyUnknownWritesAroundAStaleReadStayCheap) {
  constexpr int kUnknown = 30;
  History h;
  int id = 0;
  for (int i = 0; i < kUnknown; ++i) h.push_back(info(w(id++, 100 + i, 1000 + i, 10 * i, 0)));
  h.push_back(w(id++, 0, 7, 400, 410));
  h.push_back(w(id++, 0, 8, 420, 430));
  h.push_back(r(id++, 1, Value(7), 440, 450));  // stale: 8 was written after 7
  Budget b;
  b.max_states = 100'000;
  const CheckResult result = check(h, Register{}, b);
  ASSERT_EQ(result.verdict, Verdict::kNotLinearizable) << result.text;
  EXPECT_FALSE(result.explanation_cut_short);
  EXPECT_THAT(result.involved, ElementsAre(kUnknown, kUnknown + 1, kUnknown + 2));
  EXPECT_LT(result.states, 1000u);
}

TEST(Checker, RunsOutOfMemoryWithUnknown) {
  History h;
  for (int i = 0; i < 16; ++i) h.push_back(w(i, i, i, 0, 100));
  h.push_back(r(16, 16, Value(99), 200, 300));
  Budget b;
  b.max_memory = 1 << 20;
  const CheckResult result = check(h, Register{}, b);
  EXPECT_EQ(result.verdict, Verdict::kUnknown);
  EXPECT_THAT(result.reason, HasSubstr("over 1 MiB (Budget::max_memory)"));
}

TEST(Checker, RunsOutOfTimeWithUnknown) {
  History h;
  for (int i = 0; i < 24; ++i) h.push_back(w(i, i, i, 0, 100));
  h.push_back(r(24, 24, Value(99), 200, 300));
  Budget b;
  b.time = std::chrono::milliseconds(50);
  const CheckResult result = check(h, Register{}, b);
  EXPECT_EQ(result.verdict, Verdict::kUnknown);
  EXPECT_THAT(result.reason, HasSubstr("out of time"));
}

TEST(Checker, SameHistorySameReport) {
  const History h = {w(0, 0, 200, 0, 100), r(1, 1, Value(200), 10, 30), r(2, 2, Value(0), 40, 90)};
  EXPECT_EQ(check(h, kZero).text, check(h, kZero).text);
}

// A user model: a counter with add(n) and read.
struct Counter {
  using State = std::int64_t;
  State init() const { return 0; }
  std::optional<State> step(const State& s, const Op& op) const {
    if (op.f == "add") return s + op.args.at(0);
    if (op.outcome == Outcome::kInfo || *op.result == Value(s)) return s;
    return std::nullopt;
  }
  bool equal(const State& a, const State& b) const { return a == b; }
};

TEST(Checker, AUserModelWithoutDescribeOrPartition) {
  const History ok = {make(0, 0, "add", {2}, 0, 10), make(1, 1, "add", {3}, 0, 10),
                      make(2, 2, "read", {}, 5, 6, Value(3)),
                      make(3, 2, "read", {}, 20, 30, Value(5))};
  EXPECT_EQ(verdict(ok, Counter{}), Verdict::kLinearizable);
  History bad = ok;
  bad[2].result = Value(1);
  EXPECT_EQ(verdict(bad, Counter{}), Verdict::kNotLinearizable);
  EXPECT_THAT(check(bad, Counter{}).text, HasSubstr("state then: (state)"));
}

}  // namespace
}  // namespace lockstep::lin
