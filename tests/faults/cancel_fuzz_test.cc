// Cancellation fuzzing: cancels land at awaits as recorded decisions, replay, spare main
// unless asked, follow task patterns, visit every await once in exhaustive mode, and the
// asyncio primitives keep their laws under them.
#include "faults/cancel_fuzz.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using Mode = CancellationFuzzing::Mode;

SimulationOptions fuzzing(std::uint64_t seed, Mode mode, double p = 0.2, std::string tasks = {}) {
  SimulationOptions o;
  o.seed = seed;
  o.strategy.cancellation.mode = mode;
  o.strategy.cancellation.probability = p;
  o.strategy.cancellation.tasks = std::move(tasks);
  return o;
}

std::vector<Decision> cancels(const std::vector<Decision>& ds) {
  std::vector<Decision> out;
  for (const Decision& d : ds)
    if (d.kind == DecisionKind::kCancel) out.push_back(d);
  return out;
}

// Workers that sleep a few times; each reports how far it got. Main survives cancelled
// workers (return_exceptions).
Coro<std::string> workers() {
  std::vector<Task<void>> tasks;
  std::string log;
  for (int w = 0; w < 3; ++w)
    tasks.push_back(create_task(
        [](int w, std::string* log) -> Coro<void> {
          for (int i = 0; i < 4; ++i) {
            co_await sleep(std::chrono::milliseconds(1 + w));
            *log += std::to_string(w);
          }
        }(w, &log),
        "w" + std::to_string(w)));
  auto results = co_await gather(return_exceptions, tasks);
  for (auto& r : results) log += r.ok() ? " ok" : " cancelled";
  co_return log;
}

TEST(CancelFuzzTest, RandomCancelsAreDecisionsThatReplay) {
  int runs_with_a_cancel = 0;
  for (std::uint64_t s = 0; s < 30; ++s) {
    auto run = simulate(workers, fuzzing(s, Mode::kRandom));
    ASSERT_TRUE(run.outcome.ok());
    const auto cs = cancels(run.decisions);
    EXPECT_EQ(cs.size() > 0, true);
    bool any = false;
    for (const Decision& d : cs) any |= d.value == 1;
    runs_with_a_cancel += any;
    EXPECT_EQ(any, run.outcome.value().find("cancelled") != std::string::npos);
    auto again = replay(workers, run.decisions, fuzzing(s, Mode::kRandom));
    EXPECT_FALSE(again.divergence);
    EXPECT_EQ(again.outcome.value(), run.outcome.value());
  }
  EXPECT_GT(runs_with_a_cancel, 10);
}

TEST(CancelFuzzTest, MainIsSparedUnlessAPatternNamesIt) {
  auto main_only = []() -> Coro<int> {
    co_await sleep(1ms);
    co_await sleep(1ms);
    co_return 1;
  };
  auto spared = simulate(main_only, fuzzing(1, Mode::kRandom, 1.0));
  EXPECT_TRUE(spared.outcome.ok());
  EXPECT_TRUE(cancels(spared.decisions).empty());
  auto hit = simulate(main_only, fuzzing(1, Mode::kRandom, 1.0, "main"));
  EXPECT_FALSE(hit.outcome.ok());
  EXPECT_EQ(cancels(hit.decisions).size(), 1u);
}

TEST(CancelFuzzTest, APatternSelectsTheTasksWhoseAwaitsAreDecisions) {
  auto run = simulate(workers, fuzzing(2, Mode::kRandom, 0.0, "w1"));
  const auto cs = cancels(run.decisions);
  ASSERT_EQ(cs.size(), 4u);  // w1's four sleeps
  for (const Decision& d : cs) EXPECT_EQ(d.site, cs[0].site);
  EXPECT_TRUE(glob_match("w*", "w12"));
  EXPECT_TRUE(glob_match("*-3", "worker-3"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbc"));
  EXPECT_FALSE(glob_match("w?", "w1"));
  EXPECT_FALSE(glob_match("worker-*", "main"));
}

TEST(CancelFuzzTest, ProbabilityZeroGivesTheRunWithoutFuzzing) {
  for (std::uint64_t s = 0; s < 10; ++s) {
    auto fuzzed = simulate(workers, fuzzing(s, Mode::kRandom, 0.0));
    SimulationOptions plain;
    plain.seed = s;
    auto unfuzzed = simulate(workers, plain);
    std::vector<Decision> rest;
    for (const Decision& d : fuzzed.decisions)
      if (d.kind != DecisionKind::kCancel) rest.push_back(d);
    EXPECT_EQ(rest, unfuzzed.decisions);
    EXPECT_EQ(fuzzed.outcome.value(), unfuzzed.outcome.value());
  }
}

// For random task programs: exhaustive mode cancels at exactly the k-th await in run k,
// and over k = 1..N the cancelled awaits are the baseline's N awaits, each once.
RC_GTEST_PROP(CancelFuzzLaws, ExhaustiveModeVisitsEveryAwaitExactlyOnce, ()) {
  const auto plan = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 4));
  RC_PRE(plan.size() <= 6);
  const auto s = *rc::gen::inRange<std::uint64_t>(0, 1000);
  auto program = [&plan]() -> Coro<int> {
    std::vector<Task<void>> tasks;
    for (std::size_t i = 0; i < plan.size(); ++i)
      tasks.push_back(create_task([](int n) -> Coro<void> {
        for (int k = 0; k < n; ++k) co_await sleep(std::chrono::milliseconds(1 + k));
        co_await sleep(0s);
      }(plan[i])));
    co_await gather(return_exceptions, tasks);
    co_return 0;
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> baseline_awaits;  // (task, ordinal)
  std::set<std::pair<std::uint64_t, std::uint64_t>> cancelled;
  auto sweep = cancel_at_each_await(
      program, fuzzing(s, Mode::kExhaustive), [&](std::uint64_t k, const auto& run) {
        std::map<std::uint64_t, std::uint64_t> ordinal;
        std::uint64_t index = 0, fired = 0;
        for (const Decision& d : cancels(run.decisions)) {
          ++index;
          const auto at = std::make_pair(d.site, ++ordinal[d.site]);
          if (k == 0) baseline_awaits.push_back(at);
          if (d.value == 1) {
            ++fired;
            RC_ASSERT(index == k);
            RC_ASSERT(cancelled.insert(at).second);  // never the same await twice
          }
        }
        RC_ASSERT(fired == (k == 0 ? 0u : 1u));
      });
  RC_ASSERT(sweep.baseline_ok);
  RC_ASSERT(sweep.awaits == baseline_awaits.size());
  RC_ASSERT(sweep.runs == sweep.awaits + 1);
  RC_ASSERT(cancelled == std::set(baseline_awaits.begin(), baseline_awaits.end()));
}

// A task with awaits before, inside and after a timeout() scope; reports how many awaits
// inside the scope completed and how the scope ended.
Coro<std::string> with_a_timeout_scope() {
  std::string out;
  auto w = create_task(
      [](std::string* out) -> Coro<void> {
        co_await sleep(1ms);  // outside the scope
        int done = 0;
        try {
          Timeout scope = timeout(10s);
          co_await scope.run([](int* done) -> Coro<void> {
            for (int i = 0; i < 4; ++i) {
              co_await sleep(1ms);
              ++*done;
            }
          }(&done));
          *out = "finished";
        } catch (const TimeoutError&) {
          *out = "timed out after " + std::to_string(done) + " awaits";
        }
        co_await sleep(1ms);  // outside again
      }(&out),
      "w");
  co_await w;
  co_return out;
}

TEST(CancelFuzzTest, TheTimeoutTargetExpiresTheEnclosingScopeAtTheAwait) {
  SimulationOptions o = fuzzing(1, Mode::kRandom, 1.0, "w");
  o.strategy.cancellation.target = CancellationFuzzing::Target::kTimeout;
  auto run = simulate(with_a_timeout_scope, o);
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "timed out after 0 awaits");
  // Only awaits inside the scope are decisions: the first one fired, the task went on.
  EXPECT_EQ(cancels(run.decisions).size(), 1u);
  auto again = replay(with_a_timeout_scope, run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(again.outcome.value(), run.outcome.value());
}

TEST(CancelFuzzTest, ExhaustiveTimeoutsExpireTheScopeAtEachAwaitInIt) {
  SimulationOptions o = fuzzing(2, Mode::kExhaustive, 0, "w");
  o.strategy.cancellation.target = CancellationFuzzing::Target::kTimeout;
  std::vector<std::string> seen;
  auto sweep = cancel_at_each_await(with_a_timeout_scope, o, [&](std::uint64_t, const auto& run) {
    seen.push_back(run.outcome.ok() ? run.outcome.value()
                                    : describe_exception(run.outcome.exception()));
  });
  EXPECT_EQ(sweep.awaits, 4u);  // the four sleeps inside the scope
  EXPECT_TRUE(sweep.failing.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"finished", "timed out after 0 awaits",
                                            "timed out after 1 awaits", "timed out after 2 awaits",
                                            "timed out after 3 awaits"}));
}

TEST(CancelFuzzTest, TheAnyTargetChoosesBetweenTaskAndTimeoutInsideAScope) {
  SimulationOptions o = fuzzing(0, Mode::kRandom, 0.5, "w");
  o.strategy.cancellation.target = CancellationFuzzing::Target::kAny;
  std::set<std::string> outcomes;
  for (std::uint64_t s = 0; s < 60; ++s) {
    o.seed = s;
    auto run = simulate(with_a_timeout_scope, o);
    outcomes.insert(run.outcome.ok() ? run.outcome.value() : "cancelled");
    for (const Decision& d : cancels(run.decisions)) EXPECT_EQ(d.bound, 4u);
    EXPECT_FALSE(replay(with_a_timeout_scope, run.decisions, o).divergence);
  }
  EXPECT_TRUE(outcomes.count("cancelled")) << "some runs cancel the task";
  bool timed_out = false;
  for (const auto& s : outcomes) timed_out |= s.rfind("timed out", 0) == 0;
  EXPECT_TRUE(timed_out) << "some runs expire the timeout";
}

// The primitives under cancellation fuzzing: whatever cancels land wherever, a Lock is
// never left held, a Queue loses and duplicates no item, a shielded task's result is
// unaffected, and everything ends.
Coro<std::string> primitives_under_fire() {
  Lock lock;
  int in_critical = 0, max_in_critical = 0;
  Queue<int> queue(2);
  std::vector<int> got;
  int put_count = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back(create_task(
        [](Lock* lock, int* in, int* max_in) -> Coro<void> {
          for (int k = 0; k < 3; ++k) {
            auto guard = co_await lock->lock();
            struct Inside {  // counts holders, whether the sleep returns or raises
              int* n;
              explicit Inside(int* n) : n(n) { ++*n; }
              ~Inside() { --*n; }
            } inside(in);
            *max_in = std::max(*max_in, *in);
            co_await sleep(1ms);
          }
        }(&lock, &in_critical, &max_in_critical),
        "locker-" + std::to_string(i)));
  tasks.push_back(create_task(
      [](Queue<int>* q, int* put) -> Coro<void> {
        for (int k = 0; k < 6; ++k) {
          co_await q->put(k);  // a cancelled put() puts nothing
          ++*put;
        }
      }(&queue, &put_count),
      "producer"));
  tasks.push_back(create_task(
      [](Queue<int>* q, std::vector<int>* got) -> Coro<void> {
        for (;;) got->push_back(co_await q->get());  // a cancelled get() takes nothing
      }(&queue, &got),
      "consumer"));
  auto inner = create_task(
      []() -> Coro<int> {
        co_await sleep(1ms);  // before shield() is called
        co_await sleep(4ms);  // inside it
        co_return 42;
      }(),
      "shielded");
  tasks.push_back(create_task([](Task<int> inner) -> Coro<void> { co_await shield(inner); }(inner),
                              "shield-waiter"));
  co_await sleep(50ms);
  for (auto& t : tasks) t.cancel();  // the consumer never ends by itself
  co_await gather(return_exceptions, tasks);
  if (lock.locked()) throw std::runtime_error("the lock is held after every task ended");
  if (max_in_critical > 1) throw std::runtime_error("two tasks held the lock at once");
  while (queue.qsize() > 0) got.push_back(queue.get_nowait());
  std::multiset<int> items(got.begin(), got.end());
  if (static_cast<int>(items.size()) != put_count)
    throw std::runtime_error("items put " + std::to_string(put_count) + ", got " +
                             std::to_string(items.size()));
  for (int k = 0; k < put_count; ++k)
    if (items.count(k) != 1)
      throw std::runtime_error("item " + std::to_string(k) + " lost or doubled");
  if (co_await inner != 42) throw std::runtime_error("the shielded task was affected");
  co_return "ok";
}

TEST(CancelFuzzTest, PrimitivesKeepTheirLawsUnderRandomCancellation) {
  SimulationOptions o = fuzzing(0, Mode::kRandom, 0.1, "*-*");
  std::uint64_t cancels_fired = 0;
  auto sweep = simulate_seeds(primitives_under_fire, 0, 300, o, [&](const auto& run) {
    for (const Decision& d : cancels(run.decisions)) cancels_fired += d.value;
    if (!run.outcome.ok())
      ADD_FAILURE() << "seed " << run.seed << ": " << describe_exception(run.outcome.exception());
  });
  EXPECT_EQ(sweep.runs, 300u);
  EXPECT_TRUE(sweep.failing_seeds.empty());
  EXPECT_GT(cancels_fired, 300u) << "the sweep must actually cancel things";
}

TEST(CancelFuzzTest, PrimitivesKeepTheirLawsUnderACancelAtEachAwait) {
  for (const char* tasks : {"locker-*", "producer", "consumer", "shield-waiter"}) {
    auto sweep =
        cancel_at_each_await(primitives_under_fire, fuzzing(7, Mode::kExhaustive, 0, tasks),
                             [&](std::uint64_t k, const auto& run) {
                               if (!run.outcome.ok())
                                 ADD_FAILURE() << tasks << " await #" << k << ": "
                                               << describe_exception(run.outcome.exception());
                             });
    EXPECT_TRUE(sweep.baseline_ok);
    EXPECT_GT(sweep.awaits, 0u) << tasks;
    EXPECT_EQ(sweep.runs, sweep.awaits + 1);
    EXPECT_TRUE(sweep.failing.empty()) << tasks;
  }
}

TEST(CancelFuzzTest, PrimitivesKeepTheirLawsWhenTheShieldAroundTheInnerIsCancelled) {
  // Target enclosing from the shielded task: the shield's outer is cancelled at each of
  // the inner's awaits; the inner's result must be unaffected.
  SimulationOptions o = fuzzing(7, Mode::kExhaustive, 0, "shielded");
  o.strategy.cancellation.target = CancellationFuzzing::Target::kEnclosing;
  auto sweep =
      cancel_at_each_await(primitives_under_fire, o, [&](std::uint64_t k, const auto& run) {
        if (!run.outcome.ok())
          ADD_FAILURE() << "await #" << k << ": " << describe_exception(run.outcome.exception());
      });
  EXPECT_TRUE(sweep.baseline_ok);
  EXPECT_EQ(sweep.awaits, 1u);  // the inner's second sleep, the one inside the shield
  EXPECT_TRUE(sweep.failing.empty());
}

TEST(CancelFuzzTest, PrimitivesKeepTheirLawsUnderRandomCancelsOfAnyTarget) {
  SimulationOptions o = fuzzing(0, Mode::kRandom, 0.1, "*-*");
  o.strategy.cancellation.target = CancellationFuzzing::Target::kAny;
  auto sweep = simulate_seeds(primitives_under_fire, 0, 200, o, [&](const auto& run) {
    if (!run.outcome.ok())
      ADD_FAILURE() << "seed " << run.seed << ": " << describe_exception(run.outcome.exception());
  });
  EXPECT_TRUE(sweep.failing_seeds.empty());
}

}  // namespace
}  // namespace lockstep
