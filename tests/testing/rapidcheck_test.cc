// Schedules as RapidCheck values: choices become decisions in order, replay exactly,
// default to plain asyncio, and RapidCheck shrinks a failing program's inputs and
// schedule together down to the one cancel that matters.
#include "sim/testing/rapidcheck.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <sstream>

#include "loop/lockstep.h"
#include "sim/random.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;

TEST(RapidcheckTest, ChoicesBecomeDecisionsInOrderBroughtIntoRange) {
  auto program = []() -> Coro<std::vector<std::uint64_t>> {
    std::vector<std::uint64_t> drawn;
    for (int i = 0; i < 4; ++i) drawn.push_back(random_below(10));
    co_return drawn;
  };
  SimulationOptions fifo;
  fifo.strategy.kind = Strategy::kFifo;  // only the program's own draws are decisions
  auto run = simulate_choices(program, {13, 0, 7}, fifo);
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), (std::vector<std::uint64_t>{3, 0, 7, 0})) << "0 past the end";
}

TEST(RapidcheckTest, NoChoicesIsPlainAsyncio) {
  auto program = []() -> Coro<int> {
    auto a = create_task([]() -> Coro<int> {
      co_await sleep(1ms);
      co_return 1;
    }());
    co_await sleep(2ms);
    co_return co_await a;
  };
  SimulationOptions random;
  random.strategy.kind = Strategy::kRandom;
  auto run = simulate_choices(program, {}, random);
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), 1);
  // Every choice 0: no step costs, no late timer (neither is then a decision at all), and
  // any ready-order pick the first.
  for (const Decision& d : run.decisions) EXPECT_EQ(d.value, 0u);
}

RC_GTEST_PROP(RapidcheckTest, ARunFromChoicesReplaysExactly, ()) {
  const Schedule schedule = *gen_schedule(60);
  auto program = []() -> Coro<std::uint64_t> {
    std::vector<Task<std::uint64_t>> tasks;
    for (int i = 0; i < 3; ++i)
      tasks.push_back(create_task([](int i) -> Coro<std::uint64_t> {
        co_await sleep(std::chrono::milliseconds(i));
        co_return random_below(1000) + static_cast<std::uint64_t>(i);
      }(i)));
    std::uint64_t sum = 0;
    for (auto& t : tasks) sum = sum * 31 + co_await t;
    co_return sum;
  };
  SimulationOptions o;
  o.strategy.kind = Strategy::kRandom;
  auto run = simulate_choices(program, schedule.choices, o);
  RC_ASSERT(run.outcome.ok());
  for (const Decision& d : run.decisions) {
    const bool in_range =
        is_duration(d.kind) ? d.value <= d.bound : d.value < std::max<std::uint64_t>(d.bound, 1);
    RC_ASSERT(in_range);
  }
  auto again = replay(program, run.decisions, o);
  RC_ASSERT(!again.divergence);
  RC_ASSERT(again.outcome.value() == run.outcome.value());
}

TEST(RapidcheckTest, SchedulesShowTheirNonDefaultChoices) {
  std::ostringstream out;
  showValue(Schedule{{0, 5, 0, 0, 9}}, out);
  EXPECT_EQ(out.str(), "2 non-default choices of 5: #1=5 #4=9");
  std::ostringstream none;
  showValue(Schedule{{0, 0}}, none);
  EXPECT_EQ(none.str(), "0 non-default choices of 2");
}

// Two readers share a load; the first awaits it directly, so a cancel landing on the
// first reader cancels the load under the second (the bug of examples/property).
std::vector<int> last_failing_delays;

Coro<void> two_readers(std::vector<int> delays) {
  Task<int> load = create_task(
      []() -> Coro<int> {
        co_await sleep(5ms);
        co_return 42;
      }(),
      "load");
  std::vector<Task<int>> readers;
  for (std::size_t i = 0; i < delays.size(); ++i)
    readers.push_back(create_task(
        [](Task<int> load, int delay) -> Coro<int> {
          co_await sleep(std::chrono::milliseconds(delay));
          co_return co_await load;
        }(load, delays[i]),
        "reader-" + std::to_string(i)));
  co_await gather(return_exceptions, readers);
  for (auto& r : readers)
    if (r.cancelled() && r.cancelling() == 0)
      throw std::runtime_error("a reader nobody cancelled got CancelledError");
}

TEST(RapidcheckTest, InputsAndScheduleShrinkTogetherAndTheTraceReplays) {
  SimulationOptions o;
  o.strategy.kind = Strategy::kFifo;
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.tasks = "reader-*";
  const std::string name = "RapidcheckTest.TwoReaders";
  const bool ok = rc::check("readers nobody cancelled get the value", [&] {
    // One pick: RapidCheck shrinks the delays and the schedule together.
    const auto [delays, schedule] =
        *with_schedule(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 8)));
    try {
      rc_simulate([delays = delays] { return two_readers(delays); }, schedule, o, name);
    } catch (...) {
      last_failing_delays = delays;
      throw;
    }
  });
  ASSERT_FALSE(ok) << "the bug must be found";
  // The shrunk input: two readers (one to cancel, one to suffer), starting at once.
  EXPECT_EQ(last_failing_delays, (std::vector<int>{0, 0}));
  // The last trace saved is the shrunk counterexample's: it replays to the same failure,
  // with the one injected cancel as its only non-default decision.
  auto again = replay_trace([] { return two_readers(last_failing_delays); },
                            internal::rc_trace_path(name), name);
  EXPECT_FALSE(again.divergence);
  ASSERT_FALSE(again.outcome.ok());
  EXPECT_EQ(describe_exception(again.outcome.exception()),
            "std::runtime_error: a reader nobody cancelled got CancelledError");
  std::size_t non_default = 0;
  for (const Decision& d : again.decisions) {
    if (d.value == 0) continue;
    ++non_default;
    EXPECT_EQ(d.kind, DecisionKind::kCancel);
  }
  EXPECT_EQ(non_default, 1u);
}

TEST(RapidcheckTest, RcAssertInsideTheCoroutineFailsTheProperty) {
  std::string message;
  const bool ok = rc::check("an RC_ASSERT in a coroutine", [&] {
    try {
      rc_simulate(
          []() -> Coro<void> {
            co_await sleep(1ms);
            RC_ASSERT(1 + 1 == 3);
          },
          SimulationOptions{}, "RapidcheckTest.RcAssert");
    } catch (const std::exception& e) {
      message = e.what();  // not RapidCheck's: must not happen
      throw;
    }
  });
  EXPECT_FALSE(ok);
  EXPECT_EQ(message, "") << "RapidCheck's own failure passes through untouched";
}

// The fixed readers (shield) under the same property, as an RC_GTEST_PROP: it holds.
RC_GTEST_PROP(RapidcheckTest, ShieldedReadersNobodyCancelledGetTheValue, ()) {
  const auto [delays, schedule] =
      *with_schedule(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 8)));
  SimulationOptions o;
  o.strategy.kind = Strategy::kRandom;
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.tasks = "reader-*";
  auto run = rc_simulate(
      [delays = delays]() -> Coro<int> {
        Task<int> load = create_task(
            []() -> Coro<int> {
              co_await sleep(5ms);
              co_return 42;
            }(),
            "load");
        std::vector<Task<int>> readers;
        for (std::size_t i = 0; i < delays.size(); ++i)
          readers.push_back(create_task(
              [](Task<int> load, int delay) -> Coro<int> {
                co_await sleep(std::chrono::milliseconds(delay));
                co_return co_await shield(load);
              }(load, delays[i]),
              "reader-" + std::to_string(i)));
        co_await gather(return_exceptions, readers);
        int served = 0;
        for (auto& r : readers) {
          if (r.cancelled()) {
            RC_ASSERT(r.cancelling() > 0);  // only a reader cancelled itself misses out
            continue;
          }
          RC_ASSERT(r.result() == 42);
          ++served;
        }
        co_return served;
      },
      schedule, o);
  RC_ASSERT(run.outcome.value() <= static_cast<int>(delays.size()));
}

}  // namespace
}  // namespace lockstep
