// Trace files: a run written as it happens reads back exactly and replays to the same
// run; every kind of bad file gets a one-line error naming the problem, never a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

Coro<int> program() {
  int total = 0;
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(create_task([](int i) -> Coro<int> {
      co_await sleep(std::chrono::milliseconds(10 + random_below(20)));
      log("worker " + std::to_string(i) + " woke");
      co_return i* static_cast<int>(random_below(100));
    }(i)));
  }
  for (int v : co_await gather(tasks)) total += v;
  if (total % 7 == 0) throw std::runtime_error("total divisible by 7");
  co_return total;
}

SimulationOptions seed(std::uint64_t s) {
  SimulationOptions o;
  o.seed = s;
  return o;
}

TEST(TraceTest, ARecordedRunReadsBackExactlyAndReplaysFromTheFile) {
  const std::string path = temp_path("run.trace");
  auto run = record_trace(program, seed(11), path, "trace_test.program", {{"branch", "main"}});
  Trace t = read_trace(path);
  EXPECT_EQ(t.format_version, kTraceFormatVersion);
  EXPECT_EQ(t.info.seed, 11u);
  EXPECT_EQ(t.info.program, "trace_test.program");
  EXPECT_EQ(t.info.labels.at("branch"), "main");
  EXPECT_EQ(t.info.strategy.kind, Strategy::kFaithful);
  EXPECT_EQ(t.info.strategy.pct_depth, StrategyOptions().pct_depth);
  EXPECT_EQ(t.info.strategy.max_step_cost, StrategyOptions().max_step_cost);
  EXPECT_EQ(t.decisions, run.decisions);
  EXPECT_TRUE(t.truncation.empty()) << t.truncation;
  ASSERT_TRUE(t.end);
  EXPECT_EQ(t.end->ok, run.outcome.ok());
  EXPECT_EQ(t.end->end_time, run.end_time);
  EXPECT_EQ(t.end->steps, run.steps);
  ASSERT_EQ(t.logs.size(), 5u);
  EXPECT_THAT(t.logs[0].text, StartsWith("worker "));
  EXPECT_GT(t.logs[0].task, 0u);

  auto again = replay_trace(program, path, "trace_test.program");
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(again.decisions, run.decisions);
  EXPECT_EQ(again.end_time, run.end_time);
  EXPECT_EQ(again.outcome.ok(), run.outcome.ok());
}

// Cancels at wake points (wake_cancel decisions) are stored with where they land, and
// a trace of them replays from the file.
TEST(TraceTest, WakePointCancellationRoundTripsThroughTheFile) {
  const std::string path = temp_path("wake.trace");
  SimulationOptions o = seed(5);
  o.strategy.cancellation = {.mode = CancellationFuzzing::Mode::kRandom,
                             .at = CancellationFuzzing::Point::kWake,
                             .probability = 0.5};
  auto run = record_trace(program, o, path, "trace_test.program");
  Trace t = read_trace(path);
  EXPECT_EQ(t.info.strategy.cancellation.at, CancellationFuzzing::Point::kWake);
  EXPECT_TRUE(std::any_of(t.decisions.begin(), t.decisions.end(),
                          [](const Decision& d) { return d.kind == DecisionKind::kWakeCancel; }));
  auto again = replay_trace(program, path, "trace_test.program");
  EXPECT_FALSE(again.divergence);
  EXPECT_EQ(again.decisions, run.decisions);
}

TEST(TraceTest, AFailingRunsTraceReplaysToTheSameFailure) {
  const std::string path = temp_path("failing.trace");
  for (std::uint64_t s = 0; s < 200; ++s) {
    auto run = record_trace(program, seed(s), path, "p");
    if (run.outcome.ok()) continue;
    Trace t = read_trace(path);
    ASSERT_TRUE(t.end);
    EXPECT_FALSE(t.end->ok);
    EXPECT_THAT(t.end->error, HasSubstr("total divisible by 7"));
    auto again = replay_trace(program, path);
    ASSERT_FALSE(again.outcome.ok());
    EXPECT_EQ(describe_exception(again.outcome.exception()), t.end->error);
    return;
  }
  FAIL() << "no seed of 200 failed";
}

TEST(TraceTest, ATraceOfAnotherProgramIsRefused) {
  const std::string path = temp_path("other.trace");
  record_trace(program, seed(1), path, "service_a");
  try {
    replay_trace(program, path, "service_b");
    ADD_FAILURE();
  } catch (const TraceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a trace of 'service_a', not of 'service_b'"));
  }
}

std::string error_of(const std::string& bytes) {
  const std::string path = temp_path("bad.trace");
  write_file(path, bytes);
  try {
    read_trace(path);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

// A header string that is not UTF-8 (one flipped byte of the version): protobuf would
// print its own "[libprotobuf ERROR ...] invalid UTF-8" line first; only lockstep's
// one-line error may reach the user.
TEST(TraceTest, ACorruptHeaderStringGivesOnlyLockstepsOneLineError) {
  const std::string path = temp_path("utf8.trace");
  record_trace(program, seed(1), path, "trace_test.program");
  std::string bytes = read_file(path);
  const std::size_t at = bytes.find(kLockstepVersion);
  ASSERT_NE(at, std::string::npos);
  bytes[at] = '\xff';
  ::testing::internal::CaptureStderr();
  const std::string error = error_of(bytes);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(error, HasSubstr("corrupt trace: the header cannot be parsed"));
  EXPECT_EQ(printed, "") << "protobuf printed its own line";
}

TEST(TraceTest, BadFilesGetOneLineErrorsNamingTheProblem) {
  EXPECT_THAT(error_of(""), HasSubstr("empty file"));
  EXPECT_THAT(error_of("hello, world\n"), HasSubstr("not a lockstep trace"));
  EXPECT_THAT(error_of(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'x')),
              HasSubstr("not a lockstep trace"));
  try {
    read_trace(temp_path("does-not-exist.trace"));
    ADD_FAILURE();
  } catch (const TraceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot open the trace file"));
  }

  const std::string path = temp_path("good.trace");
  record_trace(program, seed(2), path, "p");
  const std::string good = read_file(path);
  // Only the magic: the header is missing.
  EXPECT_THAT(error_of(good.substr(0, 16)), HasSubstr("header is incomplete"));
  // A header that is not a Header.
  EXPECT_THAT(error_of(good.substr(0, 16) + std::string("\x05\xff\xff\xff\xff\xff", 6)),
              HasSubstr("header cannot be parsed"));
  // A record length far beyond any real record.
  std::string huge = good.substr(0, 16) + good.substr(16, 1 + static_cast<unsigned char>(good[16]));
  huge += std::string("\xff\xff\xff\xff\x0f", 5);
  EXPECT_THAT(error_of(huge), HasSubstr("claims"));
}

TEST(TraceTest, ANewerFormatVersionIsRefusedWithTheWritersVersion) {
  // A header with format_version 99 and lockstep_version "9.9": field 1 varint, field 2
  // string.
  std::string header = std::string("\x08\x63\x12\x03", 4) + "9.9";
  std::string bytes = std::string("LOCKSTEP-TRACE\n\0", 16);
  bytes.push_back(static_cast<char>(header.size()));
  bytes += header;
  const std::string e = error_of(bytes);
  EXPECT_THAT(e, HasSubstr("trace format version 99 is newer than this lockstep reads (3)"));
  EXPECT_THAT(e, HasSubstr("9.9"));
}

TEST(TraceTest, ATraceCutAnywhereIsReadableUpToTheCut) {
  const std::string path = temp_path("whole.trace");
  auto run = record_trace(program, seed(3), path, "p");
  const std::string whole = read_file(path);
  std::size_t last_count = 0;
  for (std::size_t cut = 16; cut < whole.size(); ++cut) {
    write_file(path, whole.substr(0, cut));
    try {
      Trace t = read_trace(path);
      EXPECT_FALSE(t.truncation.empty()) << "cut at " << cut;
      EXPECT_LE(t.decisions.size(), run.decisions.size());
      // Whatever was read is a prefix of the run's decisions.
      for (std::size_t i = 0; i < t.decisions.size(); ++i)
        ASSERT_EQ(t.decisions[i], run.decisions[i]) << "cut at " << cut;
      EXPECT_GE(t.decisions.size(), last_count);
      last_count = t.decisions.size();
    } catch (const TraceError& e) {
      // Only a cut inside the header may fail.
      EXPECT_THAT(e.what(), HasSubstr("header")) << "cut at " << cut;
    }
  }
}

TEST(TraceTest, FlippedBytesNeverCrashTheReader) {
  const std::string path = temp_path("flip.trace");
  record_trace(program, seed(4), path, "p");
  const std::string whole = read_file(path);
  for (std::size_t i = 0; i < whole.size(); ++i) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    write_file(path, bad);
    try {
      read_trace(path);  // may succeed: a flipped value can still be a valid trace
    } catch (const TraceError& e) {
      EXPECT_THAT(std::string(e.what()), HasSubstr(path));
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
    }
  }
}

RC_GTEST_PROP(TraceReaderLaws, AnyBytesAfterTheMagicGiveATraceOrATraceError, ()) {
  const auto tail = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  const std::string path = temp_path("fuzz.trace");
  write_file(path, std::string("LOCKSTEP-TRACE\n\0", 16) + tail);
  try {
    read_trace(path);
  } catch (const TraceError&) {
  }
}

TEST(TraceTest, BytesPerDecisionAreFew) {
  const std::string path = temp_path("size.trace");
  auto busy = []() -> Coro<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 100; ++i)
      tasks.push_back(create_task([]() -> Coro<void> {
        for (int k = 0; k < 50; ++k) co_await sleep(std::chrono::milliseconds(random_below(10)));
      }()));
    co_await gather(tasks);
  };
  auto run = record_trace(busy, seed(5), path, "p");
  const double per_decision =
      static_cast<double>(read_file(path).size()) / static_cast<double>(run.decisions.size());
  ::testing::Test::RecordProperty("bytes_per_decision", std::to_string(per_decision));
  std::printf("%zu decisions, %.2f bytes per decision\n", run.decisions.size(), per_decision);
  // 12.6 bytes without the tasks' suspensions and wakeups (format 2), which add two events
  // per await, their texts by reference.
  EXPECT_LT(per_decision, 18.0);
}

}  // namespace
}  // namespace lockstep
