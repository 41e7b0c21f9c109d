// The `lockstep` tool: each command's output and exit code, on real traces and bad input.
#include "replay/cli.h"

#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <vector>

#include "loop/lockstep.h"
#include "replay/programs.h"
#include "replay/replay_trace.h"

namespace lockstep {
namespace {

using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

Coro<int> program() {
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back(create_task([](int i) -> Coro<int> {
      co_await sleep(std::chrono::milliseconds(5 + random_below(10)));
      log("worker \"" + std::to_string(i) + "\" done");
      co_return i;
    }(i)));
  int sum = 0;
  for (int v : co_await gather(tasks)) sum += v;
  co_return sum;
}

std::string record(std::uint64_t seed, const std::string& name) {
  const std::string path = temp_path(name);
  SimulationOptions o;
  o.seed = seed;
  record_trace(program, o, path, "cli_test.program");
  return path;
}

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = cli::run(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliTest, ShowPrintsTheTimeline) {
  const std::string path = record(1, "show.trace");
  Result r = run({"show", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("trace: program 'cli_test.program', seed 1, strategy faithful"));
  EXPECT_THAT(r.out, HasSubstr("decision #0 "));
  EXPECT_THAT(r.out, HasSubstr("log: worker \"0\" done"));
  EXPECT_THAT(r.out, HasSubstr("task 1 'main'  started"));
  EXPECT_THAT(r.out, HasSubstr("task 2 'Task-1'  created by task 1 'main'"));
  EXPECT_THAT(r.out, HasSubstr("task 2 'Task-1'  timer fired"));
  EXPECT_THAT(r.out, HasSubstr("task 2 'Task-1'  finished"));
  EXPECT_THAT(r.out, HasSubstr("end: main returned"));
}

TEST(CliTest, StatsCountsByKindAndTask) {
  const std::string path = record(2, "stats.trace");
  Result r = run({"stats", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("decisions: "));
  EXPECT_THAT(r.out, HasSubstr("random: 3 ("));
  EXPECT_THAT(r.out, HasSubstr("bytes per decision"));
  EXPECT_THAT(r.out, HasSubstr("log lines: 3"));
  EXPECT_THAT(r.out, HasSubstr("task_created: 6"));  // main, 3 workers, run's 2 shutdown steps
  EXPECT_THAT(r.out, HasSubstr("timer_fired: 3"));
}

TEST(CliTest, DiffFindsTheFirstDifference) {
  const std::string a = record(3, "a.trace");
  const std::string a2 = record(3, "a2.trace");
  const std::string b = record(4, "b.trace");
  Result same = run({"diff", a, a2});
  EXPECT_EQ(same.code, 0) << same.out;
  EXPECT_THAT(same.out, HasSubstr("the traces agree"));
  Result differ = run({"diff", a, b});
  EXPECT_EQ(differ.code, 1);
  EXPECT_THAT(differ.out, HasSubstr("first difference at decision #"));
  EXPECT_THAT(differ.out, HasSubstr("  A     "));
  EXPECT_THAT(differ.out, HasSubstr("  B     "));
}

TEST(CliTest, ExportWritesValidChromeTraceJson) {
  const std::string path = record(5, "export.trace");
  Result r = run({"export", "--format=chrome", path});
  EXPECT_EQ(r.code, 0) << r.err;
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok()) << r.out;
  const auto& events = parsed.fields().at("traceEvents").list_value().values();
  Trace t = read_trace(path);
  std::size_t instants = 0;
  for (const auto& e : events)
    if (e.struct_value().fields().at("ph").string_value() == "i") ++instants;
  // A marker per decision, log line and event, except the suspensions and wakeups (spans
  // and arrows) and what run()'s shutdown tasks (tasks 5 and 6, no row) did.
  std::size_t markers = t.logs.size();
  for (const Decision& d : t.decisions)
    if (d.task < 5) ++markers;
  for (const TraceEvent& e : t.events)
    if (e.kind != LoopEvent::Kind::kTaskSuspended && e.kind != LoopEvent::Kind::kTaskWoken &&
        e.task < 5)
      ++markers;
  EXPECT_EQ(instants, markers);
}

TEST(CliTest, ExportGivesEachTaskANamedRowWithItsLifeAndSteps) {
  const std::string path = record(6, "rows.trace");
  Result r = run({"export", "--format=chrome", path});
  ASSERT_EQ(r.code, 0) << r.err;
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok());
  std::map<int, std::string> row_names;
  struct Slice {
    double ts, dur;
    std::string name;
  };
  std::map<int, std::vector<Slice>> slices;
  for (const auto& v : parsed.fields().at("traceEvents").list_value().values()) {
    const auto& e = v.struct_value().fields();
    const std::string ph = e.at("ph").string_value();
    if (!e.count("tid")) continue;
    const int tid = static_cast<int>(e.at("tid").number_value());
    if (ph == "M" && e.at("name").string_value() == "thread_name")
      row_names[tid] = e.at("args").struct_value().fields().at("name").string_value();
    if (ph == "X")
      slices[tid].push_back(
          {e.at("ts").number_value(), e.at("dur").number_value(), e.at("name").string_value()});
  }
  EXPECT_EQ(row_names[0], "loop");
  EXPECT_EQ(row_names[1], "main (task 1)");
  EXPECT_EQ(row_names[2], "Task-1 (task 2)");
  EXPECT_EQ(row_names.count(5), 0u) << "run()'s shutdown steps get no row";
  std::size_t steps = 0, waits = 0;
  for (const auto& [tid, list] : slices) {
    if (tid == 0) continue;
    // The first slice of a task's row is its life; its steps and waits lie inside it, one
    // after the other, so the viewers nest them.
    ASSERT_FALSE(list.empty());
    const Slice& life = list.front();
    EXPECT_THAT(life.name, ::testing::StartsWith(tid == 1 ? "main: finished" : "Task-"));
    for (std::size_t i = 1; i < list.size(); ++i) {
      if (list[i].name == "running")
        ++steps;
      else if (list[i].name.rfind("waiting on ", 0) == 0)
        ++waits;
      else
        ADD_FAILURE() << list[i].name;
      EXPECT_GT(list[i].dur, 0) << "zero-time steps are shown with some width";
      EXPECT_GE(list[i].ts, life.ts);
      EXPECT_LE(list[i].ts + list[i].dur, life.ts + life.dur + 1e-3);
      if (i > 1) {
        EXPECT_GE(list[i].ts, list[i - 1].ts + list[i - 1].dur - 1e-3);
      }
    }
  }
  EXPECT_GT(steps, 0u);
  EXPECT_GT(waits, 0u);
}

// What a person needs to see why a run failed: each task's waits named by what it
// awaits, and arrows from the task (or timer) that woke a task, and from a cancel's
// requester to the cancelled task.
Coro<void> consumer_cancelled() {
  Queue<int> q;
  auto consumer = create_task(
      [](Queue<int>& q) -> Coro<void> {
        co_await q.get();
        co_await q.get();
      }(q),
      "consumer");
  auto producer = create_task(
      [](Queue<int>& q) -> Coro<void> {
        co_await sleep(std::chrono::milliseconds(2));
        q.put_nowait(1);
      }(q),
      "producer");
  co_await producer;
  co_await sleep(std::chrono::milliseconds(3));
  consumer.cancel("gave up");
  try {
    co_await consumer;
  } catch (const CancelledError&) {
  }
  throw std::runtime_error("the consumer never got its second item");
}

TEST(CliTest, ExportShowsWaitsByWhatIsAwaitedAndArrowsFromWakerAndCanceller) {
  const std::string path = temp_path("waits.trace");
  SimulationOptions o;
  o.seed = 1;
  record_trace(consumer_cancelled, o, path, "cli_test.waits");
  Result r = run({"export", "--format=chrome", path});
  ASSERT_EQ(r.code, 0) << r.err;
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok());
  std::map<int, std::vector<std::string>> slice_names;
  struct End {
    int tid;
    std::string name;
  };
  std::map<int, End> starts, finishes;
  std::map<int, std::string> row_names;
  for (const auto& v : parsed.fields().at("traceEvents").list_value().values()) {
    const auto& e = v.struct_value().fields();
    const std::string ph = e.at("ph").string_value();
    if (!e.count("tid")) continue;
    const int tid = static_cast<int>(e.at("tid").number_value());
    if (ph == "M" && e.at("name").string_value() == "thread_name")
      row_names[tid] = e.at("args").struct_value().fields().at("name").string_value();
    if (ph == "X") slice_names[tid].push_back(e.at("name").string_value());
    if (ph == "s" || ph == "f") {
      const int id = static_cast<int>(e.at("id").number_value());
      (ph == "s" ? starts : finishes)[id] = {tid, e.at("name").string_value()};
    }
  }
  ASSERT_EQ(row_names[2], "consumer (task 2)");
  ASSERT_EQ(row_names[3], "producer (task 3)");
  using ::testing::Contains;
  using ::testing::HasSubstr;
  EXPECT_THAT(slice_names[1], Contains("waiting on Task 'producer'"));
  EXPECT_THAT(slice_names[1], Contains("waiting on Task 'consumer'"));
  EXPECT_THAT(slice_names[1], Contains("waiting on sleep(0.003s)"));
  EXPECT_THAT(slice_names[1], Contains(HasSubstr("main: failed: std::runtime_error")));
  EXPECT_THAT(slice_names[2], Contains(HasSubstr("waiting on Queue.get()")));
  EXPECT_THAT(slice_names[2], Contains("consumer: cancelled: gave up"));
  EXPECT_THAT(slice_names[3], Contains("waiting on sleep(0.002s)"));
  EXPECT_THAT(slice_names[3], Contains("running"));
  // Every flow has both ends; collect them as "from->to name".
  std::vector<std::string> arrows;
  for (const auto& [id, s] : starts) {
    ASSERT_TRUE(finishes.count(id)) << "flow " << id << " has no finish";
    EXPECT_EQ(finishes[id].name, s.name);
    arrows.push_back(std::to_string(s.tid) + "->" + std::to_string(finishes[id].tid) + " " +
                     s.name);
  }
  EXPECT_EQ(starts.size(), finishes.size());
  EXPECT_THAT(arrows, Contains("3->2 wakes"));    // the producer's put hands the consumer an item
  EXPECT_THAT(arrows, Contains("3->1 wakes"));    // the producer's end wakes main
  EXPECT_THAT(arrows, Contains("1->2 cancels"));  // main cancels the consumer
  EXPECT_THAT(arrows, Contains("1->2 wakes"));    // ... which wakes it
  EXPECT_THAT(arrows, Contains("2->1 wakes"));    // and its end wakes main
}

Coro<int> fails_when_overlapping() {
  int balance = 100;
  auto withdraw = [](int* balance, Duration arrival) -> Coro<void> {
    co_await sleep(arrival);
    if (*balance < 80) co_return;
    co_await sleep(std::chrono::milliseconds(5));
    *balance -= 80;
  };
  co_await gather(withdraw(&balance, std::chrono::milliseconds(10)),
                  withdraw(&balance, random_duration(std::chrono::milliseconds(50))));
  if (balance < 0) throw std::runtime_error("overdraft: " + std::to_string(balance));
  co_return balance;
}

TEST(CliTest, ABinaryWithItsProgramsReplaysAndShrinksTraces) {
  Programs programs;
  programs.add("cli_test.overdraft", fails_when_overlapping);
  const std::string path = temp_path("overdraft.trace");
  bool found = false;
  for (std::uint64_t s = 0; s < 300 && !found; ++s) {
    SimulationOptions o;
    o.seed = s;
    found = !record_trace(fails_when_overlapping, o, path, "cli_test.overdraft").outcome.ok();
  }
  ASSERT_TRUE(found);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"shrink", path, "--max-runs=200"}, out, err, &programs), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("fails with 1 non-default decision"));
  EXPECT_THAT(out.str(), HasSubstr("random draw at tests/replay/cli_test.cc:"));
  const std::string shrunk = temp_path("overdraft.shrunk.trace");
  EXPECT_THAT(out.str(), HasSubstr("wrote " + shrunk));
  Trace t = read_trace(shrunk);
  EXPECT_EQ(t.info.labels.at("shrunk_from"), path);
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::run({"replay", shrunk}, out2, err2, &programs), 0) << err2.str();
  EXPECT_THAT(out2.str(), HasSubstr("FAILED: std::runtime_error: overdraft"));
  // Progress goes to err, a line at most every 2 seconds off a terminal: none for a
  // shrink this short.
  EXPECT_EQ(err.str(), "");
}

TEST(CliTest, ReplayAndShrinkNeedTheProgram) {
  const std::string path = record(7, "needs-program.trace");
  Result r = run({"shrink", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("this binary runs no programs"));
  Programs others;
  others.add("something_else", fails_when_overlapping);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"replay", path}, out, err, &others), 2);
  EXPECT_THAT(err.str(), HasSubstr("a trace of 'cli_test.program', which this binary does not "
                                   "register (it has: 'something_else')"));
  std::ostringstream out2, err2;
  Programs mine;
  mine.add("cli_test.program", program);
  EXPECT_EQ(cli::run({"shrink", path, "--max-runs=lots"}, out2, err2, &mine), 2);
  EXPECT_THAT(err2.str(), HasSubstr("--max-runs wants a positive number, got 'lots'"));
  std::ostringstream out3, err3;
  EXPECT_EQ(cli::run({"shrink", path}, out3, err3, &mine), 1);  // it does not fail
  EXPECT_THAT(out3.str(), HasSubstr("does not fail"));
}

TEST(CliTest, BadUsageAndBadFilesGetClearErrorsAndExitCodes) {
  EXPECT_EQ(run({}).code, 2);
  Result help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: lockstep"));
  Result unknown = run({"frobnicate", "x"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));
  Result missing_arg = run({"diff", "only-one"});
  EXPECT_EQ(missing_arg.code, 2);
  EXPECT_THAT(missing_arg.err, HasSubstr("expected 2 trace files, got 1"));
  Result no_format = run({"export", record(6, "e.trace")});
  EXPECT_EQ(no_format.code, 2);
  EXPECT_THAT(no_format.err, HasSubstr("--format=chrome"));
  Result no_file = run({"show", temp_path("nope.trace")});
  EXPECT_EQ(no_file.code, 3);
  EXPECT_THAT(no_file.err, HasSubstr("cannot open the trace file"));
  Result bad_option = run({"show", "--colour", "x"});
  EXPECT_EQ(bad_option.code, 2);
  EXPECT_THAT(bad_option.err, HasSubstr("unknown option --colour"));
  Result salvage_diff = run({"diff", "--salvage", "a", "b"});
  EXPECT_EQ(salvage_diff.code, 2);
  EXPECT_THAT(salvage_diff.err, HasSubstr("unknown option --salvage"));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A trace damaged in the middle (37 bytes of junk where a record was being read): `show`
// refuses it with one line naming the offset; `show --salvage` prints what is intact,
// says what it skipped, and exits 4.
TEST(CliTest, ShowRefusesADamagedTraceAndSalvageReadsAroundTheDamage) {
  const std::string path = record(7, "damaged.trace");
  const std::string bytes = slurp(path);
  Result clean = run({"show", "--salvage", path});
  EXPECT_EQ(clean.code, 0) << clean.err;
  EXPECT_THAT(clean.out, ::testing::Not(HasSubstr("salvaged")));

  const std::size_t at = bytes.size() / 2;
  // A block boundary: where the intact trace's blocks start, after the middle (past the
  // header: a varint length, the header, its checksum; then a marker byte, a 4-byte
  // length, the records and a checksum per block).
  ASSERT_LT(static_cast<unsigned char>(bytes[16]), 128u);
  std::size_t boundary = 16 + 1 + static_cast<unsigned char>(bytes[16]) + 4;
  while (boundary < at) {
    ASSERT_EQ(static_cast<unsigned char>(bytes[boundary]), 0xb4u);
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i)
      length |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[boundary + 1 + i]))
                << (8 * i);
    boundary += 5 + length + 4;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << bytes.substr(0, boundary) << std::string(37, '\x11') << bytes.substr(boundary);

  Result refused = run({"show", path});
  EXPECT_EQ(refused.code, 3);
  EXPECT_EQ(refused.out, "");
  EXPECT_EQ(refused.err, "lockstep show: " + path + ": corrupt block at offset " +
                             std::to_string(boundary) +
                             " (no block starts here); --salvage reads what is intact around it\n");

  Result salvaged = run({"show", "--salvage", path});
  EXPECT_EQ(salvaged.code, 4) << salvaged.err;
  EXPECT_THAT(salvaged.out,
              HasSubstr("salvaged: skipped 37 bytes at offset " + std::to_string(boundary) + "-" +
                        std::to_string(boundary + 36) + " (no block starts here)"));
  EXPECT_THAT(salvaged.out, HasSubstr("cannot be trusted for replay"));
  EXPECT_THAT(salvaged.out, HasSubstr("end: main returned"));
  EXPECT_EQ(run({"stats", "--salvage", path}).code, 4);
  Result exported = run({"export", "--format=chrome", "--salvage", path});
  EXPECT_EQ(exported.code, 4);
  EXPECT_THAT(exported.err, HasSubstr("salvaged: skipped 37 bytes"));
}

}  // namespace
}  // namespace lockstep
