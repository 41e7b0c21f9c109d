// LOCKSTEP_BREAK_AT's numbers (sim/break_at.h), `show`'s first column, and the loop's
// state for debuggers (loop/debug.h). Stopping in gdb itself: gdb_test.sh.
#include "sim/break_at.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "loop/debug.h"
#include "loop/lockstep.h"
#include "replay/cli.h"
#include "replay/replay_trace.h"
#include "replay/timeline.h"

namespace lockstep {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Coro<int> program() {
  Queue<int> q(1);
  auto consumer = create_task(
      [](Queue<int>& q) -> Coro<int> {
        int sum = 0;
        for (int i = 0; i < 3; ++i) sum += co_await q.get();
        log("sum " + std::to_string(sum));
        co_return sum;
      }(q),
      "consumer");
  for (int i = 0; i < 3; ++i) {
    co_await sleep(std::chrono::milliseconds(random_below(10)));
    co_await q.put(i);
  }
  co_return co_await consumer;
}

TEST(BreakAt, ParsesWhatShowPrints) {
  EXPECT_EQ(BreakAt::parse("d12"), (BreakAt{BreakAt::Kind::kDecision, 12}));
  EXPECT_EQ(BreakAt::parse("e0"), (BreakAt{BreakAt::Kind::kEvent, 0}));
  EXPECT_EQ(BreakAt::parse("l3"), (BreakAt{BreakAt::Kind::kLog, 3}));
  EXPECT_EQ(BreakAt::parse("e40").to_string(), "e40");
  EXPECT_EQ(BreakAt::parse("e40").describe(), "event #40");
  EXPECT_EQ(BreakAt::parse("l3").describe(), "log line #3");
  EXPECT_EQ(BreakAt::parse("d18446744073709551615").index, 18446744073709551615u);
}

TEST(BreakAt, RefusesAnythingElseSayingWhatItTakes) {
  for (const char* bad : {"", "d", "12", "#12", "x12", "d-1", "d1x", "D12", " d1", "d 1",
                          "d18446744073709551616", "decision #12"}) {
    try {
      BreakAt::parse(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("want d<N> (decision #N), e<N> (event #N) or l<N>")) << bad;
    }
  }
}

TEST(BreakAt, EnvironmentValueIsNamedInItsError) {
  ::setenv("LOCKSTEP_BREAK_AT", "nope", 1);
  try {
    break_at_from_env();
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), StartsWith("LOCKSTEP_BREAK_AT='nope' is not a moment of a run"));
  }
  SimulationOptions o;
  EXPECT_THROW(simulate(program, o), std::invalid_argument);
  ::setenv("LOCKSTEP_BREAK_AT", "", 1);
  EXPECT_FALSE(break_at_from_env());
  ::unsetenv("LOCKSTEP_BREAK_AT");
  EXPECT_FALSE(break_at_from_env());
}

TEST(BreakAt, NotUnderATestRunner) { EXPECT_FALSE(debugger_attached()); }

// The sink counts exactly what the trace stores, and recording through it changes nothing.
TEST(BreakAt, CountsAsTheTraceNumbersAndLeavesTheTraceAlone) {
  SimulationOptions o;
  o.seed = 5;
  const std::string plain = temp_path("plain.trace"), through = temp_path("through.trace");
  record_trace(program, o, plain, "break_at_test");
  o.break_at = BreakAt::parse("d100000");  // never reached
  testing::internal::CaptureStderr();
  record_trace(program, o, through, "break_at_test");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(file_bytes(plain), file_bytes(through));
  const Trace t = read_trace(plain);
  ASSERT_FALSE(t.events.empty());
  ASSERT_FALSE(t.logs.empty());
  EXPECT_THAT(
      err, HasSubstr("LOCKSTEP_BREAK_AT=d100000 was never reached: the run made " +
                     std::to_string(t.decisions.size()) + " decisions (d0-d" +
                     std::to_string(t.decisions.size() - 1) + "), " +
                     std::to_string(t.events.size()) + " events (e0-e" +
                     std::to_string(t.events.size() - 1) + "), " + std::to_string(t.logs.size()) +
                     " log lines (l0-l" + std::to_string(t.logs.size() - 1) + ")"));
}

// Without a debugger the moment is announced with the loop's state, and the run goes on.
TEST(BreakAt, WithoutADebuggerSaysWhereTheRunIsAndGoesOn) {
  const std::string path = temp_path("moment.trace");
  SimulationOptions o;
  o.seed = 5;
  const auto recorded = record_trace(program, o, path, "break_at_test");
  const Trace t = read_trace(path);
  // Every line of the timeline names its moment; stop at each kind in a plain run and in
  // a replay of the trace.
  for (const TimelineEntry& e : timeline(t)) {
    const std::string tag = timeline_tag(e);
    if (tag != "d1" && tag != "e3" && tag != "l0") continue;
    for (const bool replaying : {false, true}) {
      o.break_at = BreakAt::parse(tag);
      testing::internal::CaptureStderr();
      const auto run = replaying ? replay(program, recorded.decisions, o) : simulate(program, o);
      const std::string err = testing::internal::GetCapturedStderr();
      EXPECT_TRUE(run.outcome.ok());
      EXPECT_THAT(err,
                  HasSubstr("LOCKSTEP_BREAK_AT=" + tag + " reached: " + o.break_at->describe()));
      EXPECT_THAT(err, HasSubstr(format_seconds(e.time).insert(0, " at ")));
      EXPECT_THAT(err, HasSubstr("no debugger attached, so not stopping"));
      EXPECT_THAT(err, HasSubstr("virtual time: " + format_seconds(e.time) + " (global)"));
      EXPECT_THAT(err, HasSubstr("tasks ("));
      if (tag == "l0") {
        EXPECT_THAT(err, HasSubstr("log line #0 'sum 3'"));
      }
    }
  }
}

TEST(BreakAt, ShrinkIgnoresTheEnvironment) {
  ::setenv("LOCKSTEP_BREAK_AT", "d0", 1);
  auto failing = []() -> Coro<void> {
    if (random_below(4) > 0) throw std::runtime_error("boom");
    co_return;
  };
  SimulationOptions o;
  o.seed = 1;
  testing::internal::CaptureStderr();
  auto run = simulate(failing, o);
  auto small = shrink(failing, run.decisions.to_vector(), o);
  const std::string err = testing::internal::GetCapturedStderr();
  ::unsetenv("LOCKSTEP_BREAK_AT");
  size_t count = 0;
  for (size_t at = err.find("reached"); at != std::string::npos; at = err.find("reached", at + 1))
    ++count;
  EXPECT_EQ(count, 1u) << err;  // the run, not each of shrink's runs
}

TEST(Show, EveryLineCarriesItsNumber) {
  const std::string path = temp_path("show.trace");
  SimulationOptions o;
  o.seed = 5;
  record_trace(program, o, path, "break_at_test");
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"show", path}, out, err), 0) << err.str();
  const Trace t = read_trace(path);
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);  // the header
  std::size_t d = 0, e = 0, l = 0;
  for (const TimelineEntry& entry : timeline(t)) {
    ASSERT_TRUE(std::getline(lines, line));
    const std::string tag =
        entry.source == TimelineEntry::Source::kDecision ? "d" + std::to_string(d++)
        : entry.source == TimelineEntry::Source::kEvent  ? "e" + std::to_string(e++)
                                                         : "l" + std::to_string(l++);
    EXPECT_THAT(line, StartsWith(tag + " ")) << line;
    EXPECT_THAT(line, HasSubstr(format_seconds(entry.time) + "  " + entry.who + "  " + entry.what));
  }
  EXPECT_EQ(d, t.decisions.size());
  EXPECT_EQ(e, t.events.size());
  EXPECT_EQ(l, t.logs.size());
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_THAT(line, HasSubstr("end: main returned"));
}

TEST(ReplayBreakAt, RefusesNumbersTheTraceDoesNotHave) {
  const std::string path = temp_path("range.trace");
  SimulationOptions o;
  o.seed = 5;
  record_trace(program, o, path, "break_at_test");
  const Trace t = read_trace(path);
  Programs programs;
  programs.add("break_at_test", program);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"replay", path, "--break-at", "d999"}, out, err, &programs), 2);
  EXPECT_EQ(err.str(), "lockstep replay: --break-at=d999: the trace has " +
                           std::to_string(t.decisions.size()) + " decisions (d0-d" +
                           std::to_string(t.decisions.size() - 1) + ")\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::run({"replay", path, "--break-at=q"}, out2, err2, &programs), 2);
  EXPECT_THAT(err2.str(), HasSubstr("--break-at='q' is not a moment of a run"));
  std::ostringstream out3, err3;
  testing::internal::CaptureStderr();
  EXPECT_EQ(cli::run({"replay", path, "--break-at=l0"}, out3, err3, &programs), 0);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("LOCKSTEP_BREAK_AT=l0 reached: log line #0"));
  EXPECT_THAT(out3.str(), HasSubstr("replayed " + path + ": ok"));
  std::ostringstream out4, err4;
  EXPECT_EQ(cli::run({"show", path, "--break-at=d1"}, out4, err4, &programs), 2);
  EXPECT_THAT(err4.str(), HasSubstr("unknown option --break-at=d1"));
}

Coro<void> nap(Duration d) { co_await sleep(d); }

TEST(DebugState, ListsTasksReadyQueueTimersAndTime) {
  std::string tasks, ready, timers, time, all, unknown;
  auto main = [&]() -> Coro<void> {
    auto sleeper = create_task(nap(std::chrono::seconds(2)), "sleeper");
    auto fresh = create_task(nap(std::chrono::seconds(0)), "fresh");
    co_await sleep(std::chrono::milliseconds(500));
    auto later = create_task(nap(std::chrono::seconds(0)), "later");
    const Loop& loop = *Loop::current();
    tasks = debug_state(loop, "tasks");
    ready = debug_state(loop, "ready");
    timers = debug_state(loop, "timers");
    time = debug_state(loop, "time");
    all = lockstep_debug("all");
    unknown = lockstep_debug("bogus");
    co_await sleeper;
    co_await later;
  };
  run(main());
  EXPECT_THAT(tasks, HasSubstr("tasks (3):\n"));  // 'fresh' has finished
  EXPECT_THAT(tasks, HasSubstr("task 1 'Task-1': running\n"));
  EXPECT_THAT(tasks, HasSubstr("task 2 'sleeper': waiting on sleep until t=2.000000s"));
  EXPECT_THAT(tasks, HasSubstr("'later': not started, ready (#1 in the ready queue)\n"));
  EXPECT_THAT(
      ready,
      HasSubstr("ready queue (1, runs first to last):\n  1. task 4 'later' (its next step)\n"));
  EXPECT_THAT(timers, HasSubstr("timers (1, in firing order):\n  due 2.000000s (in 1.500000s): "));
  EXPECT_THAT(time, HasSubstr("virtual time: 0.500000s (global)"));
  EXPECT_THAT(time, HasSubstr("running: task 1 'Task-1'"));
  EXPECT_EQ(all, time + tasks + ready + timers);
  EXPECT_EQ(unknown,
            "lockstep_debug: unknown part 'bogus': want tasks, ready, timers, time or all\n");
  EXPECT_EQ(std::string(lockstep_debug("tasks")), "no loop is running on this thread\n");
}

TEST(DebugState, NamesNodesAndTheirClocks) {
  std::string tasks, time;
  auto main = [&]() -> Coro<void> {
    Loop& loop = *Loop::current();
    const NodeId n1 = loop.add_node("n1", NodeClock{.offset = std::chrono::seconds(5)});
    const NodeId n2 = loop.add_node("n2");
    Task<void> on_n1;
    {
      Loop::NodeScope on(loop, n1);
      on_n1 = create_task(nap(std::chrono::seconds(1)), "server");
    }
    co_await sleep(std::chrono::milliseconds(250));
    loop.kill_node(n2);
    tasks = debug_state(loop, "tasks");
    time = debug_state(loop, "time");
    co_await on_n1;
  };
  run(main());
  EXPECT_THAT(tasks, HasSubstr("task 2 'server' on n1: waiting on sleep until t=6.000000s"));
  EXPECT_THAT(time, HasSubstr("virtual time: 0.250000s (global)"));
  EXPECT_THAT(time, HasSubstr("  node 1 'n1': 5.250000s local\n"));
  EXPECT_THAT(time, HasSubstr("  node 2 'n2': powered off\n"));
}

}  // namespace
}  // namespace lockstep
