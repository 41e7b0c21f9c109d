// Cancellation fuzzing aimed past the awaiting task: at the gather, shield or TaskGroup
// it runs in (target enclosing), and at a timeout that belongs to the task awaiting it
// (wait_for(task, d), target timeout). Each firing is one decision, replays, shows up
// as an "injected" event, and reads well in a shrink summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "faults/cancel_fuzz.h"
#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Mode = CancellationFuzzing::Mode;
using Target = CancellationFuzzing::Target;

SimulationOptions aimed(Target target, Mode mode, std::string tasks, std::uint64_t index = 1) {
  SimulationOptions o;
  o.strategy.kind = Strategy::kFifo;  // asyncio's order and times: exact expectations
  o.strategy.cancellation.mode = mode;
  o.strategy.cancellation.index = index;
  o.strategy.cancellation.probability = 1.0;
  o.strategy.cancellation.tasks = std::move(tasks);
  o.strategy.cancellation.target = target;
  return o;
}

std::vector<Decision> fired_cancels(const std::vector<Decision>& ds) {
  std::vector<Decision> out;
  for (const Decision& d : ds)
    if (d.kind == DecisionKind::kCancel && d.value != 0) out.push_back(d);
  return out;
}

// Records the injected events of a run.
struct InjectedEvents final : TraceSink {
  void on_decision(const Decision&) override {}
  void on_log(TimePoint, std::uint64_t, std::string_view) override {}
  void on_event(const LoopEvent& e) noexcept override {
    if (e.kind == LoopEvent::Kind::kInjected) texts.emplace_back(e.text);
  }
  std::vector<std::string> texts;
};

constexpr int kSleeperLine = __LINE__ + 2;  // the sleep() in sleeper
Coro<void> sleeper(std::string* log, std::string name, int n) {
  for (int i = 0; i < n; ++i) co_await sleep(1ms);
  *log += name + " done;";
}

// main gathers a (3 sleeps) and b (3 sleeps); reports how the gather and each child ended.
Coro<std::string> gathered() {
  std::string log;
  auto a = create_task(sleeper(&log, "a", 3), "a");
  auto b = create_task(sleeper(&log, "b", 3), "b");
  try {
    co_await gather(a, b);
    log += "gather ok;";
  } catch (const CancelledError&) {
    log += "gather cancelled;";
  }
  log += std::string(a.cancelled() ? " a cancelled" : " a not cancelled") +
         (b.cancelled() ? " b cancelled" : " b not cancelled");
  co_return log;
}

TEST(CancelEnclosingTest, AGatherIsCancelledFromAChildsAwaitAndCancelsEveryChild) {
  SimulationOptions o = aimed(Target::kEnclosing, Mode::kExhaustive, "a", 2);
  InjectedEvents events;
  o.trace = &events;
  auto run = simulate(gathered, o);
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "gather cancelled; a cancelled b cancelled");
  ASSERT_EQ(fired_cancels(run.decisions).size(), 1u);
  EXPECT_EQ(events.texts,
            (std::vector<std::string>{"gather cancelled at an await of sleep until t=0.002000s at "
                                      "tests/faults/cancel_enclosing_test.cc:" +
                                      std::to_string(kSleeperLine)}));
  auto again = replay(gathered, run.decisions, o);
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(again.outcome.value(), run.outcome.value());
}

TEST(CancelEnclosingTest, TasksInNoStructureAreNotDecisionsForTheEnclosingTarget) {
  auto program = []() -> Coro<int> {
    std::string log;
    auto a = create_task(sleeper(&log, "a", 3), "a");
    co_await a;  // awaited directly: no gather, shield or group around it
    co_return 0;
  };
  auto run = simulate(program, aimed(Target::kEnclosing, Mode::kRandom, "a"));
  ASSERT_TRUE(run.outcome.ok());
  for (const Decision& d : run.decisions) EXPECT_NE(d.kind, DecisionKind::kCancel);
}

// An outer task awaits shield(inner); reports the outer's fate and the inner's result.
Coro<std::string> shielded() {
  auto inner = create_task(
      []() -> Coro<int> {
        co_await sleep(1ms);  // before the outer task has run: no shield yet
        co_await sleep(1ms);
        co_await sleep(1ms);
        co_return 42;
      }(),
      "inner");
  auto outer = create_task(
      [](Task<int> inner) -> Coro<int> { co_return co_await shield(inner); }(inner), "outer");
  std::string log;
  try {
    log += "outer got " + std::to_string(co_await outer);
  } catch (const CancelledError&) {
    log += "outer cancelled";
  }
  log += ", inner returned " + std::to_string(co_await inner);
  co_return log;
}

TEST(CancelEnclosingTest, AShieldsOuterIsCancelledAndItsInnerRunsOn) {
  for (std::uint64_t k : {1, 2}) {  // the inner's 2nd and 3rd awaits
    auto run = simulate(shielded, aimed(Target::kEnclosing, Mode::kExhaustive, "inner", k));
    ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
    EXPECT_EQ(run.outcome.value(), "outer cancelled, inner returned 42") << "await " << k;
    EXPECT_EQ(fired_cancels(run.decisions).size(), 1u);
  }
}

// A parent task runs a TaskGroup of two children; reports how the parent ended.
Coro<std::string> grouped() {
  std::string log;
  auto parent = create_task(
      [](std::string* log) -> Coro<void> {
        co_await task_group([log](TaskGroup& g) -> Coro<void> {
          g.create_task(sleeper(log, "c1", 3), "c1");
          g.create_task(sleeper(log, "c2", 3), "c2");
          co_return;
        });
        *log += "group ok;";
      }(&log),
      "parent");
  try {
    co_await parent;
  } catch (const CancelledError&) {
    log += "parent cancelled;";
  }
  co_return log;
}

TEST(CancelEnclosingTest, ATaskGroupIsCancelledFromAChildsAwaitAndCancelsItsChildren) {
  auto run = simulate(grouped, aimed(Target::kEnclosing, Mode::kExhaustive, "c2", 1));
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "parent cancelled;") << "no child finishes";
  auto plain = simulate(grouped, aimed(Target::kEnclosing, Mode::kOff, ""));
  EXPECT_EQ(plain.outcome.value(), "c1 done;c2 done;group ok;");
}

// main: wait_for(a task that sleeps 3 times, 10s). The deadline belongs to main's scope,
// yet target timeout fires it from the child's awaits.
Coro<std::string> waited_for() {
  std::string log;
  auto child = create_task(sleeper(&log, "child", 3), "child");
  try {
    co_await wait_for(child, 10s);
    log += "in time;";
  } catch (const TimeoutError&) {
    log += std::string("timed out, child ") + (child.cancelled() ? "cancelled" : "not cancelled");
  }
  co_return log;
}

TEST(CancelEnclosingTest, WaitForsDeadlineFiresFromAnAwaitOfTheTaskItWaitsFor) {
  for (std::uint64_t k : {1, 2, 3}) {
    auto run = simulate(waited_for, aimed(Target::kTimeout, Mode::kExhaustive, "child", k));
    ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
    EXPECT_EQ(run.outcome.value(), "timed out, child cancelled") << "await " << k;
    EXPECT_EQ(run.end_time, TimePoint(std::chrono::milliseconds(k - 1)));
  }
  auto sweep = cancel_at_each_await(waited_for, aimed(Target::kTimeout, Mode::kExhaustive, "child"),
                                    [](std::uint64_t, const auto&) {});
  EXPECT_EQ(sweep.awaits, 3u);
}

TEST(CancelEnclosingTest, TheAnyTargetReachesTaskTimeoutAndEnclosingStructure) {
  // A child of a gather awaited inside a timeout: all three are there at each await.
  auto program = []() -> Coro<std::string> {
    std::string log;
    auto a = create_task(sleeper(&log, "a", 4), "a");
    auto b = create_task(sleeper(&log, "b", 4), "b");
    try {
      Timeout scope = timeout(10s);
      co_await scope.run(gather(a, b));
    } catch (const TimeoutError&) {
      co_return "timeout";
    } catch (const CancelledError&) {
    }
    co_return a.cancelled() && b.cancelled() ? "gather" : "task";
  };
  SimulationOptions o = aimed(Target::kAny, Mode::kRandom, "a");
  o.strategy.cancellation.probability = 0.5;
  std::set<std::string> seen;
  std::set<std::uint64_t> values;
  for (std::uint64_t s = 0; s < 40; ++s) {
    o.seed = s;
    auto run = simulate(program, o);
    ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
    for (const Decision& d : fired_cancels(run.decisions)) values.insert(d.value);
    seen.insert(run.outcome.value());
    EXPECT_FALSE(replay(program, run.decisions, o).divergence);
  }
  EXPECT_EQ(values, (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(seen, (std::set<std::string>{"gather", "task", "timeout"}));
}

TEST(CancelEnclosingTest, TheShrinkSummaryNamesTheStructure) {
  auto program = []() -> Coro<int> {
    std::string log;
    auto a = create_task(sleeper(&log, "a", 3), "a");
    auto b = create_task(sleeper(&log, "b", 3), "b");
    co_await gather(a, b);
    co_return 0;
  };
  SimulationOptions o = aimed(Target::kEnclosing, Mode::kExhaustive, "b", 2);
  auto run = simulate(program, o);
  ASSERT_FALSE(run.outcome.ok());
  auto r = shrink(program, run.decisions, o);
  EXPECT_EQ(r.non_default_after, 1u) << r.summary;
  // Moved to the earliest await that fails the same way.
  EXPECT_THAT(r.summary, HasSubstr("the gather around 'b' cancelled at its 1st await "
                                   "(t=0.000000s, awaiting sleep until t=0.001000s at "
                                   "tests/faults/cancel_enclosing_test.cc:" +
                                   std::to_string(kSleeperLine) + ")"));
}

}  // namespace
}  // namespace lockstep
