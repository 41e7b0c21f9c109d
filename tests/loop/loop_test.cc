// The loop itself: ordering of callbacks and timers, handles, run/stop/close, the
// exception handler, deadlock and budget diagnostics.
#include "loop/loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;
using ::testing::HasSubstr;

TEST(LoopTest, TimeStartsAtZeroAndRunsNoRealTime) {
  Loop loop;
  EXPECT_EQ(loop.time(), TimePoint{});
  loop.call_later(3600s, [&] { loop.stop(); });
  const auto start = std::chrono::steady_clock::now();
  loop.run_forever();
  EXPECT_EQ(loop.time(), TimePoint{} + 3600s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(LoopTest, CallSoonRunsCallbacksFifo) {
  Loop loop;
  EventLog log;
  for (int i = 0; i < 5; ++i) loop.call_soon([&, i] { log(std::to_string(i)); });
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_THAT(log.lines, ElementsAre("0", "1", "2", "3", "4"));
}

TEST(LoopTest, CallbacksScheduledDuringAnIterationRunInTheNextOne) {
  Loop loop;
  EventLog log;
  loop.call_soon([&] {
    log("a");
    loop.call_soon([&] { log("c (scheduled by a)"); });
  });
  loop.call_soon([&] {
    log("b");
    loop.stop();  // takes effect at the end of this iteration
  });
  loop.run_forever();
  EXPECT_THAT(log.lines, ElementsAre("a", "b"));
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_THAT(log.lines, ElementsAre("a", "b", "c (scheduled by a)"));
}

TEST(LoopTest, TimersFireInDeadlineOrderAndTiesInSchedulingOrder) {
  Loop loop;
  EventLog log;
  loop.call_later(2s, [&] { log("2s"); });
  for (int i = 0; i < 20; ++i) loop.call_later(1s, [&, i] { log("1s#" + std::to_string(i)); });
  loop.call_at(TimePoint{} + 500ms, [&] { log("0.5s"); });
  loop.call_later(3s, [&] { loop.stop(); });
  loop.run_forever();
  ASSERT_EQ(log.lines.size(), 22u);
  EXPECT_EQ(log.lines.front(), "0.5s");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(log.lines[1 + i], "1s#" + std::to_string(i));
  EXPECT_EQ(log.lines.back(), "2s");
}

TEST(LoopTest, DueTimerRunsAfterCallbacksAlreadyReady) {
  Loop loop;
  EventLog log;
  loop.call_later(0s, [&] { log("timer(0)"); });
  loop.call_soon([&] { log("soon"); });
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();
  // asyncio: due timers join the ready queue behind what is already there.
  EXPECT_THAT(log.lines, ElementsAre("soon", "timer(0)"));
}

TEST(LoopTest, TimeJumpsOnlyWhenNothingIsReady) {
  Loop loop;
  std::vector<double> seen;
  loop.call_soon([&] { seen.push_back(to_seconds(loop.time())); });
  loop.call_later(5s, [&] { seen.push_back(to_seconds(loop.time())); });
  loop.call_later(7s, [&] {
    seen.push_back(to_seconds(loop.time()));
    loop.stop();
  });
  loop.run_forever();
  EXPECT_THAT(seen, ElementsAre(0.0, 5.0, 7.0));
}

TEST(LoopTest, CancelledHandlesDoNotRun) {
  Loop loop;
  EventLog log;
  Handle h = loop.call_soon([&] { log("soon"); });
  TimerHandle t = loop.call_later(1s, [&] { log("later"); });
  EXPECT_EQ(t.when(), TimePoint{} + 1s);
  h.cancel();
  t.cancel();
  EXPECT_TRUE(h.cancelled());
  EXPECT_TRUE(t.cancelled());
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_TRUE(log.lines.empty());
}

TEST(LoopTest, ManyCancelledTimersArePurgedAndTheRestStillFire) {
  Loop loop;
  int fired = 0;
  std::vector<TimerHandle> handles;
  for (int i = 0; i < 1000; ++i) handles.push_back(loop.call_later(1s + i * 1ms, [&] { ++fired; }));
  for (int i = 0; i < 1000; ++i)
    if (i % 10) handles[i].cancel();
  loop.call_later(10s, [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(fired, 100);
}

TEST(LoopTest, ExceptionInCallbackGoesToTheHandlerAndTheLoopGoesOn) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  bool after = false;
  loop.call_soon([] { throw std::runtime_error("boom"); });
  loop.call_soon([&] {
    after = true;
    loop.stop();
  });
  loop.run_forever();
  EXPECT_TRUE(after);
  EXPECT_THAT(errors, ElementsAre("Exception in callback: std::runtime_error: boom"));
}

TEST(LoopTest, RunForeverWithNothingToDoIsADeadlockNotAHang) {
  Loop loop;
  EXPECT_THROW(loop.run_forever(), DeadlockError);
  EXPECT_FALSE(loop.is_running());
}

TEST(LoopTest, RunUntilCompleteOnAFutureNobodySetsNamesTheDeadlock) {
  Loop loop;
  Future<int> never(loop);
  try {
    loop.run_until_complete(never);
    FAIL() << "expected DeadlockError";
  } catch (const DeadlockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nothing is ready, no timer is pending"));
    EXPECT_THAT(e.what(), HasSubstr("loop_test.cc"));  // where the future was created
  }
}

TEST(LoopTest, DeadlockReportListsBlockedTasksAndWhatTheyAwait) {
  Loop loop;
  Future<void> gate(loop);
  auto waiter = [](Future<void> f) -> Coro<void> { co_await f; };
  auto chained = [](Task<void> t) -> Coro<void> { co_await t; };
  Task<void> a = loop.create_task(waiter(gate), "consumer");
  Task<void> b = loop.create_task(chained(a), "supervisor");
  try {
    loop.run_until_complete(Future<void>(b));
    FAIL() << "expected DeadlockError";
  } catch (const DeadlockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("pending tasks (2)"));
    EXPECT_THAT(e.what(), HasSubstr("Task 'consumer' awaits a Future created at"));
    EXPECT_THAT(e.what(), HasSubstr("Task 'supervisor' awaits Task 'consumer'"));
  }
  gate.set_result();
  loop.run_until_complete(Future<void>(b));
  EXPECT_TRUE(a.done());
}

TEST(LoopTest, StepBudgetStopsALivelockAndNamesTheTask) {
  LoopOptions o;
  o.max_steps = 1000;
  Loop loop(o);
  auto spin = []() -> Coro<void> {
    for (;;) co_await sleep(0s);
  };
  Task<void> t = loop.create_task(spin(), "spinner");
  try {
    loop.run_until_complete(Future<void>(t));
    FAIL() << "expected BudgetExceededError";
  } catch (const BudgetExceededError& e) {
    EXPECT_THAT(e.what(), HasSubstr("budget of 1000 steps"));
    EXPECT_THAT(e.what(),
                ::testing::ContainsRegex("Task 'spinner' \\([0-9]+ steps\\) is ready to run"));
  }
  t.cancel();
}

TEST(LoopTest, VirtualTimeBudgetStopsAnEndlessRetryLoop) {
  LoopOptions o;
  o.max_time = 60s;
  Loop loop(o);
  auto retry = []() -> Coro<void> {
    for (;;) co_await sleep(1s);
  };
  Task<void> t = loop.create_task(retry(), "retry");
  EXPECT_THROW(loop.run_until_complete(Future<void>(t)), BudgetExceededError);
  EXPECT_LE(loop.time(), TimePoint{} + 62s);
}

// The defaults stop an endless `sleep(1s)` retry loop after a day of virtual time
// (86,400 rounds: well under a second; it used to be a year and ~46 s) and name the task
// that kept running first, ahead of one that only waits.
TEST(LoopTest, DefaultBudgetsStopAnEndlessRetryLoopAndNameTheTaskThatKeptRunning) {
  Loop loop;
  auto retry = []() -> Coro<void> {
    for (;;) co_await sleep(1s);
  };
  Future<void> never(loop);
  Task<void> idle =
      loop.create_task([](Future<void> f) -> Coro<void> { co_await f; }(never), "idle");
  Task<void> t = loop.create_task(retry(), "retry");
  try {
    loop.run_until_complete(Future<void>(t));
    FAIL() << "expected BudgetExceededError";
  } catch (const BudgetExceededError& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("virtual-time budget of 86400"));
    EXPECT_THAT(what, HasSubstr("raise LoopOptions::max_time"));
    const auto retry_at = what.find("Task 'retry' (8640");
    const auto idle_at = what.find("Task 'idle' (1 steps)");
    ASSERT_NE(retry_at, std::string::npos) << what;
    ASSERT_NE(idle_at, std::string::npos) << what;
    EXPECT_LT(retry_at, idle_at) << "the task that kept running comes first";
  }
  EXPECT_LE(loop.time(), TimePoint{} + std::chrono::hours(24) + 2s);
}

// A budget error or a deadlock among a thousand tasks lists the first kTasksListed (those
// that kept running first) and says how many more there are: one screen, not a thousand
// lines.
TEST(LoopTest, AnErrorNamesAtMostTwentyTasksAndCountsTheRest) {
  {
    LoopOptions o;
    o.max_steps = 5000;
    Loop loop(o);
    auto spin = []() -> Coro<void> {
      for (;;) co_await sleep(0s);
    };
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 1000; ++i) tasks.push_back(loop.create_task(spin()));
    try {
      loop.run_until_complete(Future<void>(tasks.back()));
      FAIL() << "expected BudgetExceededError";
    } catch (const BudgetExceededError& e) {
      const std::string what = e.what();
      EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), 2 + 20 + 1) << what;
      EXPECT_THAT(what, HasSubstr("  ... and 980 more\n"));
      EXPECT_THAT(what, HasSubstr("Task 'Task-1' (6 steps) is ready to run"));
    }
  }
  {
    Loop loop;
    Future<void> never(loop);
    auto wait = [](Future<void> f) -> Coro<void> { co_await f; };
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 100; ++i) tasks.push_back(loop.create_task(wait(never)));
    try {
      loop.run_until_complete(Future<void>(tasks.back()));
      FAIL() << "expected DeadlockError";
    } catch (const DeadlockError& e) {
      const std::string what = e.what();
      EXPECT_THAT(what, HasSubstr("pending tasks (100):\n"));
      EXPECT_THAT(what, HasSubstr("  ... and 80 more\n"));
      EXPECT_EQ(what.find("Task-21'"), std::string::npos) << what;
    }
  }
}

// A loop on the real clock is a program in production: no step or time budget.
TEST(LoopTest, ARealTimeLoopHasNoBudgets) {
  RealTimeDriver wall;
  LoopOptions o;
  o.driver = &wall;
  o.max_steps = 10;
  Loop loop(o);
  int n = 0;
  auto count = [&n]() -> Coro<void> {
    for (int i = 0; i < 100; ++i) {
      ++n;
      co_await sleep(0s);
    }
  };
  loop.run_until_complete(count());
  EXPECT_EQ(n, 100);
}

TEST(LoopTest, CloseReportsPendingTasksAndCannotRunAfterwards) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  Future<void> never(loop);
  auto wait = [](Future<void> f) -> Coro<void> { co_await f; };
  Task<void> t = loop.create_task(wait(never), "stuck");
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  loop.close();
  EXPECT_THAT(errors, ElementsAre("Task was destroyed but it is pending! [stuck]"));
  EXPECT_FALSE(t.done());
  EXPECT_THROW(loop.run_forever(), std::logic_error);
  EXPECT_TRUE(loop.is_closed());
}

TEST(LoopTest, RunningTwoLoopsAtOnceOnOneThreadIsRefused) {
  Loop outer;
  std::string error;
  outer.call_soon([&] {
    Loop inner;
    try {
      inner.call_soon([&] { inner.stop(); });
      inner.run_forever();
    } catch (const std::logic_error& e) {
      error = e.what();
    }
    outer.stop();
  });
  outer.run_forever();
  EXPECT_EQ(error, "lockstep: Cannot run the event loop while another loop is running");
}

// A decision source that perturbs everything, to show the hooks are consulted.
class ReverseEverything : public DecisionSource {
 public:
  Perturbs perturbs() const override {
    return {.step_cost = true,
            .timer_delay = true,
            .due_timer_order = true,
            .completion_order = true,
            .ready_order = true};
  }
  Duration step_cost(const StepInfo&) override { return 1ms; }
  Duration timer_delay(Duration) override { return 10ms; }
  std::size_t pick_due_timer(std::size_t n) override { return n - 1; }
  std::size_t pick_ready(std::size_t n) override { return n - 1; }
};

TEST(LoopTest, DecisionSourceCanReorderReadyCallbacksAndTimersAndChargeTime) {
  ReverseEverything d;
  LoopOptions o;
  o.decisions = &d;
  Loop loop(o);
  EventLog log;
  for (int i = 0; i < 3; ++i) loop.call_soon([&, i] { log("soon" + std::to_string(i)); });
  for (int i = 0; i < 3; ++i)
    loop.call_later(1s, [&, i] {
      log("timer" + std::to_string(i) + "@" + std::to_string(to_seconds(loop.time())));
    });
  loop.run_until_complete(loop.create_task([]() -> Coro<void> { co_await sleep(5s); }()));
  // Ready batches run in reverse; the equal-deadline timers move in reverse, then run in
  // reverse again (so back in order); each step costs 1ms; timers fire 10ms late.
  ASSERT_EQ(log.lines.size(), 6u);
  EXPECT_EQ(log.lines[0], "soon2");
  EXPECT_EQ(log.lines[2], "soon0");
  EXPECT_EQ(log.lines[3].substr(0, 6), "timer0");
  EXPECT_THAT(log.lines[3], HasSubstr("@1.01"));
}

// Every other step costs 1ms; logs what the loop asks, and the time it asks at.
class ChargesEveryOtherStep : public DecisionSource {
 public:
  explicit ChargesEveryOtherStep(bool merged, Loop*& loop) : merged_(merged), loop_(loop) {}
  Perturbs perturbs() const override {
    return {.step_cost = true, .after_step = true, .after_step_in_end_step = merged_};
  }
  Duration step_cost(const StepInfo&) override {
    calls.push_back("cost@" + std::to_string(to_seconds(loop_->time())));
    return ++steps_ % 2 == 0 ? 1ms : Duration::zero();
  }
  Duration end_step(const StepInfo& step) override {
    if (!merged_) return DecisionSource::end_step(step);
    const Duration cost = step_cost(step);
    if (cost == Duration::zero()) after_step(step);
    return cost;
  }
  void after_step(const StepInfo&) override {
    calls.push_back("after@" + std::to_string(to_seconds(loop_->time())));
  }
  std::vector<std::string> calls;

 private:
  bool merged_;
  Loop*& loop_;
  int steps_ = 0;
};

TEST(LoopTest, AfterStepFollowsTheChargeOfAStepThatCostTimeWhetherOrNotEndStepDoesItsWork) {
  // A source that does after_step()'s work in end_step() sees the same calls at the same
  // times as one that does not: after a step that cost time, after_step() comes after the
  // charge; after one that cost nothing, once (not also from the loop).
  std::vector<std::string> seen[2];
  for (const bool merged : {false, true}) {
    Loop* current = nullptr;
    ChargesEveryOtherStep d(merged, current);
    Loop loop({.decisions = &d});
    current = &loop;
    for (int i = 0; i < 3; ++i) loop.call_soon([] {});
    loop.call_soon([&] { loop.stop(); });
    loop.run_forever();
    seen[merged] = d.calls;
  }
  const std::vector<std::string> expected = {"cost@0.000000",  "after@0.000000", "cost@0.000000",
                                             "after@0.001000", "cost@0.001000",  "after@0.001000",
                                             "cost@0.001000",  "after@0.002000"};
  EXPECT_EQ(seen[false], expected);
  EXPECT_EQ(seen[true], expected);
}

TEST(LoopTest, WithoutADecisionSourceNoStepCostIsCharged) {
  Loop loop;
  for (int i = 0; i < 100; ++i) loop.call_soon([] {});
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(loop.time(), TimePoint{});
  EXPECT_EQ(loop.steps(), 101u);
}

}  // namespace
}  // namespace lockstep
