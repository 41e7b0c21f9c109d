// Fault plans: text with clear errors, exceptions raised at the awaits a plan names,
// heavy-tailed delays, recorded and replayed from traces, shrunk like any decision, and a
// plan that never fires leaves the run as it was.
#include "faults/fault_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

struct ConnectionReset : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string error_of(const std::string& text) {
  try {
    parse_fault_plan(text, "plan.txt");
  } catch (const FaultPlanError& e) {
    return e.what();
  }
  return "";
}

TEST(FaultPlanTest, BadPlansGetErrorsThatNameThePlaceAndTheProblem) {
  EXPECT_THAT(error_of("await { probabilty: 0.1 }"),
              HasSubstr("plan.txt:1:19: Message type \"lockstep.faults.AwaitFault\" has no field "
                        "named \"probabilty\""));
  EXPECT_THAT(error_of("await { probability: 1.5 }"),
              HasSubstr("plan.txt: await #0: probability 1.5 is not in [0, 1]"));
  EXPECT_THAT(error_of("await { error: \"Boom\" }"),
              HasSubstr("plan.txt: await #0: unknown error 'Boom' (register it"));
  EXPECT_THAT(error_of("delay { target: \"disks\" }"),
              HasSubstr("plan.txt: delay #0: unknown target 'disks'"));
  EXPECT_THAT(error_of("delay { scale_ms: 5 max_ms: 1 }"),
              HasSubstr("plan.txt: delay #0: max is below scale"));
  EXPECT_THAT(error_of("this is not a plan"), HasSubstr("plan.txt:1:"));
  EXPECT_EQ(error_of(""), "");  // the empty plan
  try {
    load_fault_plan("/nonexistent/plan.txt");
    ADD_FAILURE();
  } catch (const FaultPlanError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/plan.txt: cannot open the fault plan"));
  }
}

TEST(FaultPlanTest, ThePlanTextRoundTrips) {
  register_fault_error<ConnectionReset>("ConnectionReset");
  const std::string text =
      "await { tasks: \"w*\" awaiting: \"Queue.get()\" probability: 0.25 error: "
      "\"ConnectionReset\" message: \"peer \\\"gone\\\"\" }\n"
      "delay { target: \"jobs\" probability: 0.5 scale_ms: 2 alpha: 1.2 max_ms: 300 }\n";
  const FaultPlan plan = parse_fault_plan(text);
  ASSERT_EQ(plan.awaits.size(), 1u);
  EXPECT_EQ(plan.awaits[0].message, "peer \"gone\"");
  ASSERT_EQ(plan.delays.size(), 1u);
  EXPECT_EQ(plan.delays[0].target, DelayFault::Target::kJobs);
  EXPECT_EQ(plan.delays[0].scale, 2ms);
  EXPECT_EQ(to_text(parse_fault_plan(to_text(plan))), to_text(plan));
  const FaultPlan defaults = parse_fault_plan("await { } delay { }");
  EXPECT_EQ(defaults.awaits[0].tasks, "*");
  EXPECT_EQ(defaults.awaits[0].probability, 0.01);
  EXPECT_EQ(defaults.delays[0].max, 10s);
}

SimulationOptions with_plan(std::uint64_t seed, const FaultPlan& plan) {
  SimulationOptions o;
  o.seed = seed;
  o.faults = make_injector(plan);
  return o;
}

// A worker reads two items from a queue; main feeds it, then awaits it.
Coro<std::string> feeder() {
  Queue<int> q;
  auto worker = create_task(
      [](Queue<int>* q) -> Coro<int> {
        int a = co_await q->get();
        int b = co_await q->get();
        co_return a + b;
      }(&q),
      "worker");
  co_await sleep(1ms);
  q.put_nowait(1);
  co_await sleep(1ms);
  q.put_nowait(2);
  std::string out;
  try {
    out = "sum " + std::to_string(co_await worker);
  } catch (const ConnectionReset& e) {
    out = std::string("worker failed: ") + e.what();
  }
  co_return out + ", left in queue " + std::to_string(q.qsize());
}

TEST(FaultPlanTest, AnErrorIsRaisedAtTheAwaitsThePlanNames) {
  register_fault_error<ConnectionReset>("ConnectionReset");
  FaultPlan plan;
  plan.awaits.push_back({.tasks = "worker",
                         .awaiting = "Queue.get()",
                         .probability = 1.0,
                         .error = "ConnectionReset",
                         .message = "peer went away"});
  auto run = simulate(feeder, with_plan(1, plan));
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  // The first get() raised; the item put later stays in the queue: nothing is lost.
  EXPECT_EQ(run.outcome.value(), "worker failed: peer went away, left in queue 2");
  EXPECT_EQ(run.faults_fired.begin()->second, 1u);

  FaultPlan elsewhere = plan;
  elsewhere.awaits[0].tasks = "someone-else";
  EXPECT_EQ(simulate(feeder, with_plan(1, elsewhere)).outcome.value(), "sum 3, left in queue 0");
  FaultPlan other_primitive = plan;
  other_primitive.awaits[0].awaiting = "Lock.acquire()";
  EXPECT_EQ(simulate(feeder, with_plan(1, other_primitive)).outcome.value(),
            "sum 3, left in queue 0");
}

TEST(FaultPlanTest, WhatTheTaskAwaitedCarriesOnWithoutIt) {
  FaultPlan plan;
  plan.awaits.push_back({.tasks = "parent", .awaiting = "Task 'child'", .probability = 1.0});
  auto run = simulate(
      []() -> Coro<std::string> {
        int child_done = 0;
        auto child = create_task(
            [](int* done) -> Coro<void> {
              co_await sleep(5ms);
              *done = 1;
            }(&child_done),
            "child");
        auto parent = create_task(
            [](Task<void> child) -> Coro<std::string> {
              try {
                co_await child;
                co_return "parent saw the child end";
              } catch (const std::runtime_error& e) {
                co_return std::string("parent raised: ") + e.what();
              }
            }(child),
            "parent");
        std::string said = co_await parent;
        co_await child;  // the child was not cancelled: it ends normally
        co_return said + "; child done " + std::to_string(child_done);
      },
      with_plan(2, plan));
  EXPECT_EQ(run.outcome.value(), "parent raised: injected fault; child done 1");
}

TEST(FaultPlanTest, APlanThatNeverFiresLeavesTheRunAsItWas) {
  FaultPlan plan;
  plan.awaits.push_back({.probability = 0.0});
  plan.delays.push_back({.target = DelayFault::Target::kTimers, .probability = 0.0});
  for (std::uint64_t s = 0; s < 20; ++s) {
    auto with = simulate(feeder, with_plan(s, plan));
    SimulationOptions none;
    none.seed = s;
    auto without = simulate(feeder, none);
    std::vector<Decision> rest;
    for (const Decision& d : with.decisions)
      if (d.kind != DecisionKind::kFault) rest.push_back(d);
    EXPECT_EQ(rest, without.decisions);
    EXPECT_EQ(with.outcome.value(), without.outcome.value());
  }
}

// For random task programs and seeds: a plan whose every entry has probability 0 gives
// the run of no plan - the same decisions (its fault decisions aside) and outcome.
RC_GTEST_PROP(FaultPlanLaws, APlanThatNeverFiresGivesTheRunOfNoPlan, ()) {
  const auto sleeps = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 6));
  const auto s = *rc::gen::arbitrary<std::uint64_t>();
  const auto kind = *rc::gen::element(Strategy::kFifo, Strategy::kFaithful, Strategy::kRandom);
  auto program = [&sleeps]() -> Coro<std::string> {
    std::string log;
    Queue<int> q;
    std::vector<Task<void>> tasks;
    for (std::size_t i = 0; i < sleeps.size(); ++i)
      tasks.push_back(create_task(
          [](int ms, std::size_t i, std::string* log, Queue<int>* q) -> Coro<void> {
            co_await sleep(std::chrono::milliseconds(ms + random_below(3)));
            co_await q->put(static_cast<int>(i));
            *log += std::to_string(co_await q->get());
            co_await to_thread([] {});
          }(sleeps[i], i, &log, &q),
          "t" + std::to_string(i)));
    co_await gather(return_exceptions, tasks);
    co_return log;
  };
  FaultPlan plan;
  plan.awaits.push_back({.probability = 0.0});
  plan.delays.push_back({.target = DelayFault::Target::kTimers, .probability = 0.0});
  plan.delays.push_back({.target = DelayFault::Target::kJobs, .probability = 0.0});
  plan.jobs.push_back({.probability = 0.0});
  SimulationOptions with = with_plan(s, plan), without;
  without.seed = s;
  with.strategy.kind = without.strategy.kind = kind;
  auto a = simulate(program, with);
  auto b = simulate(program, without);
  std::vector<Decision> rest;
  for (const Decision& d : a.decisions)
    if (d.kind != DecisionKind::kFault) rest.push_back(d);
  // Under fifo a plan turns timer and job decisions on (for its delays): compare what both
  // runs decided otherwise.
  if (kind == Strategy::kFifo)
    std::erase_if(rest, [](const Decision& d) {
      return d.kind == DecisionKind::kTimerDelay || d.kind == DecisionKind::kJobDuration;
    });
  RC_ASSERT(rest == b.decisions);
  RC_ASSERT(a.outcome.ok() == b.outcome.ok());
  if (a.outcome.ok()) RC_ASSERT(a.outcome.value() == b.outcome.value());
}

TEST(FaultPlanTest, DelaysAreHeavyTailedAndBounded) {
  FaultPlan plan;
  plan.delays.push_back({.target = DelayFault::Target::kTimers,
                         .probability = 1.0,
                         .scale = 1ms,
                         .alpha = 1.0,
                         .max = 1s});
  SimulationOptions o = with_plan(3, plan);
  o.strategy.kind = Strategy::kFifo;  // only the plan's lateness
  auto run = simulate(
      []() -> Coro<std::vector<Duration>> {
        std::vector<Duration> late;
        for (int i = 0; i < 2000; ++i) {
          const TimePoint start = Loop::current()->time();
          co_await sleep(1ms);
          late.push_back(Loop::current()->time() - start - 1ms);
        }
        co_return late;
      },
      o);
  auto late = run.outcome.value();
  std::sort(late.begin(), late.end());
  EXPECT_GE(late.front(), 1ms);
  EXPECT_LE(late.back(), 1s);
  EXPECT_LT(late[late.size() / 2], 5ms) << "most delays are small";
  EXPECT_GT(late[late.size() * 99 / 100], 50ms) << "a few are long stalls";
}

TEST(FaultPlanTest, AnExecutorJobFailsInsteadOfRunning) {
  FaultPlan plan;
  plan.jobs.push_back({.probability = 1.0, .message = "disk full"});
  std::atomic<int> ran{0};
  auto run = simulate(
      [&]() -> Coro<std::string> {
        try {
          co_await to_thread([&] { ++ran; });
          co_return "ran";
        } catch (const std::runtime_error& e) {
          co_return e.what();
        }
      },
      with_plan(5, plan));
  EXPECT_EQ(run.outcome.value(), "disk full");
  EXPECT_EQ(ran.load(), 0) << "a failed job does not run";
  EXPECT_THAT(error_of("job { probability: 2 }"),
              HasSubstr("plan.txt: job #0: probability 2 is not in [0, 1]"));
}

TEST(FaultPlanTest, ATracedRunWithAPlanReplaysFromTheFile) {
  register_fault_error<ConnectionReset>("ConnectionReset");
  FaultPlan plan;
  plan.awaits.push_back({.tasks = "worker", .probability = 0.5, .error = "ConnectionReset"});
  plan.delays.push_back({.probability = 0.3});
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/plan.trace";
  for (std::uint64_t s = 0; s < 10; ++s) {
    auto run = record_trace(feeder, with_plan(s, plan), path, "feeder");
    Trace t = read_trace(path);
    EXPECT_EQ(t.info.fault_plan, to_text(plan));
    auto again = replay_trace(feeder, path, "feeder");
    EXPECT_FALSE(again.divergence);
    EXPECT_EQ(again.outcome.value(), run.outcome.value());
  }
}

TEST(FaultPlanTest, TheShrinkerKeepsOnlyTheFiringThatMatters) {
  FaultPlan plan;
  plan.awaits.push_back({.tasks = "worker", .awaiting = "Queue.get()", .probability = 0.5});
  plan.delays.push_back({.probability = 0.5});
  auto program = []() -> Coro<std::string> {
    std::string r = co_await feeder();
    if (r.rfind("worker failed", 0) == 0) throw std::runtime_error(r);
    co_return r;
  };
  std::optional<SimulationResult<std::string>> failing;
  SimulationOptions o;
  for (std::uint64_t s = 0; s < 100 && !failing; ++s) {
    o = with_plan(s, plan);
    auto run = simulate(program, o);
    if (!run.outcome.ok() && count_non_default(run.decisions) > 2) failing = std::move(run);
  }
  ASSERT_TRUE(failing);
  auto small = shrink(program, failing->decisions, o);
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;
  EXPECT_THAT(small.summary, HasSubstr("plan await #0 (tasks worker, awaiting Queue.get()) fired "
                                       "in 'worker'"));
}

}  // namespace
}  // namespace lockstep
