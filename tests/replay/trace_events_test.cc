// Loop events in trace files: every event a run's observer sees is written in its place
// among the decisions and reads back exactly; older (version 1) traces still read; any
// bytes in a log line or error survive; record then replay sees the same events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "replay/chrome_export.h"
#include "replay/replay_trace.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Passes everything to a TraceWriter and keeps what it saw, to compare with the file.
struct Tee : TraceSink {
  explicit Tee(TraceSink* inner) : inner(inner) {}
  void on_decision(const Decision& d) override {
    decisions.push_back(d);
    if (inner) inner->on_decision(d);
  }
  void on_log(TimePoint time, std::uint64_t task, std::string_view text) override {
    if (inner) inner->on_log(time, task, text);
  }
  void on_site(std::uint64_t site, std::string_view name) override {
    if (inner) inner->on_site(site, name);
  }
  void on_event(const LoopEvent& e) noexcept override {
    TraceEvent t{e.kind, e.time, e.task, e.other, std::string(e.text), decisions.size()};
    t.no_message = e.no_message;
    events.push_back(std::move(t));
    if (inner) inner->on_event(e);
  }
  TraceSink* inner;
  std::vector<Decision> decisions;
  std::vector<TraceEvent> events;
};

// Named tasks, a renamed one, a failure, a cancellation, timers, an unretrieved error.
Coro<int> eventful() {
  auto worker = create_task(
      []() -> Coro<int> {
        co_await sleep(std::chrono::milliseconds(1 + random_below(5)));
        co_return 1;
      }(),
      "worker");
  auto doomed = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "doomed");
  doomed.set_name("doomed-renamed");
  auto failing = create_task([]() -> Coro<void> {
    co_await sleep(2ms);
    throw std::runtime_error("broken \xff\xfe bytes");  // not UTF-8
  }());
  {
    auto lost = create_task([]() -> Coro<void> {
      throw std::logic_error("never retrieved");
      co_return;
    }());
    co_await sleep(0s);
  }
  int v = co_await worker;
  doomed.cancel("shutting down");
  try {
    co_await doomed;
  } catch (const CancelledError&) {
  }
  try {
    co_await failing;
  } catch (const std::runtime_error&) {
  }
  log("binary \x01\x80 log line");
  // cancel() and cancel("") are not the same (CancelledError() vs CancelledError('')).
  auto quiet = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "quiet");
  auto empty = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "empty");
  co_await sleep(0s);
  quiet.cancel();
  empty.cancel("");
  co_await gather(return_exceptions, quiet, empty);
  co_return v;
}

SimulationOptions options(std::uint64_t seed) {
  SimulationOptions o;
  o.seed = seed;
  o.exception_handler = [](Loop&, const ExceptionContext&) {};
  return o;
}

bool same(const TraceEvent& a, const TraceEvent& b) {
  const bool cancel_kind =
      a.kind == LoopEvent::Kind::kCancelRequested || a.kind == LoopEvent::Kind::kTaskCancelled;
  return a.kind == b.kind && a.time == b.time && a.task == b.task && a.other == b.other &&
         a.text == b.text && a.after_decisions == b.after_decisions &&
         (!cancel_kind || a.no_message == b.no_message);
}

TEST(TraceEventsTest, EveryEventIsWrittenInItsPlaceAndReadsBackExactly) {
  const std::string path = temp_path("events.trace");
  SimulationOptions o = options(3);
  TraceWriter writer(path, TraceInfo{o.seed, o.strategy, "eventful", {}, ""});
  Tee tee(&writer);
  o.trace = &tee;
  auto run = simulate(eventful, o);
  writer.finish(run);
  ASSERT_TRUE(run.outcome.ok());

  Trace t = read_trace(path);
  EXPECT_EQ(t.decisions, tee.decisions);
  ASSERT_EQ(t.events.size(), tee.events.size());
  for (std::size_t i = 0; i < t.events.size(); ++i)
    EXPECT_TRUE(same(t.events[i], tee.events[i]))
        << "event #" << i << ": " << to_string(t.events[i].kind) << " vs "
        << to_string(tee.events[i].kind);

  // What a person needs is there: names, who cancelled whom and why, failures, errors.
  std::string shown;
  for (const TimelineEntry& e : timeline(t)) shown += e.who + "  " + e.what + "\n";
  EXPECT_THAT(shown, HasSubstr("task 1 'main'  started"));
  EXPECT_THAT(shown, HasSubstr("'worker'  created by task 1 'main'"));
  EXPECT_THAT(shown, HasSubstr("'doomed'  renamed 'doomed-renamed'"));
  EXPECT_THAT(shown,
              HasSubstr("'doomed-renamed'  cancel requested by task 1 'main': shutting down"));
  EXPECT_THAT(shown, HasSubstr("'doomed-renamed'  cancelled: shutting down"));
  EXPECT_THAT(shown, HasSubstr("failed: std::runtime_error: broken \xff\xfe bytes"));
  EXPECT_THAT(shown, HasSubstr("error: Task exception was never retrieved: std::logic_error"));
  EXPECT_THAT(shown, HasSubstr("'worker'  timer fired"));
  EXPECT_THAT(shown, HasSubstr("log: binary \x01\x80 log line"));
  EXPECT_THAT(shown, HasSubstr("'worker'  finished"));
  EXPECT_THAT(shown, HasSubstr("'quiet'  cancel requested by task 1 'main'\n"));
  EXPECT_THAT(shown, HasSubstr("'quiet'  cancelled\n"));
  EXPECT_THAT(shown, HasSubstr("'empty'  cancel requested by task 1 'main': ''\n"));
  EXPECT_THAT(shown, HasSubstr("'empty'  cancelled: ''\n"));
}

// Two tasks trading futures, a step in ten costing time: runs of suspensions and
// wakeups that repeat the events a few back (format 6 writes each run as one record),
// now and then a hundred draws in a row.
Coro<void> ping_pong() {
  struct Channel {
    std::optional<Future<int>> req, reply;
  } chan;
  constexpr int kRounds = 20000;  // events for several blocks
  auto pong = create_task(
      [](Channel& c) -> Coro<void> {
        for (int i = 0; i < kRounds; ++i) {
          c.req = Loop::current()->create_future<int>();
          const int v = co_await *c.req;
          c.reply->set_result(v + 1);
        }
      }(chan),
      "pong");
  co_await sleep(0s);  // pong makes its first request
  for (int i = 0; i < kRounds; ++i) {
    chan.reply = Loop::current()->create_future<int>();
    chan.req->set_result(i);
    co_await *chan.reply;
    if (i % 2000 == 0) log("round " + std::to_string(i));
    // Decisions while events wait to be written, more than the writer holds back.
    if (i % 5000 == 1)
      for (int k = 0; k < 100; ++k) random_below(10);
  }
  co_await pong;
}

// The loop hands the writer suspensions, wakeups and timers firing in batches, which it
// encodes before anything else it writes, runs of repeated events as one record: the
// file reads back as the one written an event at a time (through a sink that does not
// batch, which writes every event in full), for a program of every kind of event, one
// whose sleep texts outnumber the loop's table of them, and a ping-pong whose events
// repeat. The file is no bigger, and for the ping-pong much smaller.
TEST(TraceEventsTest, BatchedEventsReadBackAsWrittenOneByOne) {
  auto many_sleeps = []() -> Coro<void> {
    std::vector<Task<void>> tasks;
    // One task waits on the same thing again and again while the others' texts replace
    // those in the loop's table: what it remembers of its last wait must not outlive it.
    tasks.push_back(create_task([]() -> Coro<void> {
      for (int i = 0; i < 4; ++i) co_await sleep(std::chrono::milliseconds(2));
    }()));
    for (int i = 0; i < 3000; ++i)
      tasks.push_back(create_task([](int i) -> Coro<void> {
        co_await sleep(std::chrono::microseconds(1 + i));
        if (random_below(3) == 0) log("task " + std::to_string(i));
        co_await sleep(std::chrono::microseconds(3001 - i));
      }(i)));
    co_await gather(tasks);
  };
  auto record = [](auto program, const std::string& path, bool batched) {
    SimulationOptions o = options(8);
    o.break_at_env = false;  // LOCKSTEP_BREAK_AT would wrap the writer (which then does not batch)
    TraceWriter writer(path, TraceInfo{o.seed, o.strategy, "p", {}, ""});
    Tee tee(&writer);
    o.trace = batched ? static_cast<TraceSink*>(&writer) : &tee;
    auto run = simulate(program, o);
    writer.finish(run);
    return std::pair(writer.bytes(), tee.events.size());
  };
  for (const int which : {0, 1, 2}) {
    SCOPED_TRACE(which == 0 ? "eventful" : which == 1 ? "many sleeps" : "ping-pong");
    auto both = [&](const std::string& path, bool batched) {
      return which == 0   ? record(eventful, path, batched)
             : which == 1 ? record(many_sleeps, path, batched)
                          : record(ping_pong, path, batched);
    };
    const auto [batched_bytes, unused] = both(temp_path("b.trace"), true);
    const auto [one_by_one_bytes, events] = both(temp_path("e.trace"), false);
    const Trace batched = read_trace(temp_path("b.trace"));
    const Trace one_by_one = read_trace(temp_path("e.trace"));
    EXPECT_GT(events, which == 0 ? 20u : 12000u);
    EXPECT_TRUE(batched.truncation.empty()) << batched.truncation;
    EXPECT_EQ(batched.decisions, one_by_one.decisions);
    ASSERT_EQ(batched.events.size(), events);
    ASSERT_EQ(one_by_one.events.size(), events);
    for (std::size_t i = 0; i < events; ++i) {
      const TraceEvent& a = batched.events[i];
      const TraceEvent& b = one_by_one.events[i];
      ASSERT_TRUE(same(a, b) && a.sequence == b.sequence && a.no_message == b.no_message &&
                  a.node == b.node)
          << "event #" << i << ": " << to_string(a.kind) << " task " << a.task << " at "
          << a.time.time_since_epoch().count() << " '" << a.text << "' vs " << to_string(b.kind)
          << " task " << b.task << " at " << b.time.time_since_epoch().count() << " '" << b.text
          << "'";
    }
    ASSERT_EQ(batched.logs.size(), one_by_one.logs.size());
    for (std::size_t i = 0; i < batched.logs.size(); ++i) {
      EXPECT_EQ(batched.logs[i].text, one_by_one.logs[i].text);
      EXPECT_EQ(batched.logs[i].sequence, one_by_one.logs[i].sequence);
    }
    EXPECT_LE(batched_bytes, one_by_one_bytes);
    if (which == 2) {
      EXPECT_LT(batched_bytes * 3, one_by_one_bytes);
      // Under a byte for every 1.25 events: the record after a step that cost time needs no
      // time of its own, and a run of repeats goes on past it (format 7).
      EXPECT_LT(batched_bytes * 5, events * 4);
      std::printf("ping-pong: %llu bytes batched, %llu one by one, %zu events\n",
                  static_cast<unsigned long long>(batched_bytes),
                  static_cast<unsigned long long>(one_by_one_bytes), events);
    }
  }
}

TEST(TraceEventsTest, TheTimelineKeepsTheRecordedOrder) {
  const std::string path = temp_path("order.trace");
  record_trace(eventful, options(4), path, "eventful");
  Trace t = read_trace(path);
  std::size_t decisions_seen = 0, events_seen = 0, logs_seen = 0;
  for (const TimelineEntry& e : timeline(t)) {
    switch (e.source) {
      case TimelineEntry::Source::kDecision:
        EXPECT_EQ(e.index, decisions_seen++);
        break;
      case TimelineEntry::Source::kEvent:
        EXPECT_EQ(e.index, events_seen++);
        EXPECT_EQ(t.events[e.index].after_decisions, decisions_seen);
        break;
      case TimelineEntry::Source::kLog:
        EXPECT_EQ(e.index, logs_seen++);
        EXPECT_EQ(t.logs[e.index].after_decisions, decisions_seen);
        break;
    }
  }
  EXPECT_EQ(decisions_seen, t.decisions.size());
  EXPECT_EQ(events_seen, t.events.size());
  EXPECT_EQ(logs_seen, t.logs.size());
}

// Bytes of a record: the length, then the message.
std::string record(const std::string& message) {
  return std::string(1, static_cast<char>(message.size())) + message;
}

// A version-1 header (no events then) for strategy "fifo".
std::string v1_prefix() {
  const std::string header = std::string("\x08\x01", 2) + "\x22\x06\x0a\x04" + "fifo";
  return std::string("LOCKSTEP-TRACE\n\0", 16) + record(header);
}

TEST(TraceEventsTest, AVersionOneTraceStillReads) {
  // One decision: Record.decision {kind: 7 (random), bound: 10, value: 3}.
  const std::string decision = std::string("\x0a\x06\x08\x07\x18\x0a\x20\x03", 8);
  const std::string path = temp_path("v1.trace");
  write_file(path, v1_prefix() + record(decision));
  Trace t = read_trace(path);
  EXPECT_EQ(t.format_version, 1u);
  ASSERT_EQ(t.decisions.size(), 1u);
  EXPECT_EQ(t.decisions[0].kind, DecisionKind::kRandom);
  EXPECT_EQ(t.decisions[0].bound, 10u);
  EXPECT_EQ(t.decisions[0].value, 3u);
  EXPECT_TRUE(t.events.empty());
}

// Format 2: events and sites, records without checksums.
TEST(TraceEventsTest, AVersionTwoTraceStillReads) {
  const std::string header = std::string("\x08\x02", 2) + "\x22\x06\x0a\x04" + "fifo";
  const std::string decision = std::string("\x0a\x06\x08\x07\x18\x0a\x20\x03", 8);
  const std::string event = std::string("\x22\x05\x08\x01\x2a\x01", 6) + "w";  // kind 1
  const std::string site = std::string("\x2a\x08\x08\x05\x12\x04", 6) + "a.cc";
  const std::string end = std::string("\x1a\x04\x08\x01\x28\x01", 6);  // ok, 1 decision
  const std::string path = temp_path("v2.trace");
  write_file(path, std::string("LOCKSTEP-TRACE\n\0", 16) + record(header) + record(site) +
                       record(event) + record(decision) + record(end));
  Trace t = read_trace(path);
  EXPECT_EQ(t.format_version, 2u);
  ASSERT_EQ(t.decisions.size(), 1u);
  EXPECT_EQ(t.decisions[0].value, 3u);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].text, "w");
  EXPECT_EQ(t.site_names.at(5), "a.cc");
  ASSERT_TRUE(t.end);
  EXPECT_TRUE(t.end->ok);
  EXPECT_TRUE(t.truncation.empty());
  // Cut short, it reads as truncated, as it always did.
  const std::string whole = std::string("LOCKSTEP-TRACE\n\0", 16) + record(header) + record(site) +
                            record(event) + record(decision);
  write_file(path, whole.substr(0, whole.size() - 2));
  EXPECT_THAT(read_trace(path).truncation, HasSubstr("the file ends inside record #3"));
}

TEST(TraceEventsTest, AnEventInAVersionOneTraceIsCorruption) {
  const std::string event = std::string("\x22\x02\x08\x01", 4);  // Record.event {kind: 1}
  const std::string path = temp_path("v1-event.trace");
  write_file(path, v1_prefix() + record(event));
  try {
    read_trace(path);
    ADD_FAILURE() << "read";
  } catch (const TraceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("record #1 is an event, which format version 1 does not have"));
  }
}

TEST(TraceEventsTest, AnEventKindFromANewerWriterIsShownAsUnknown) {
  const std::string path = temp_path("future-kind.trace");
  { TraceWriter header_only(path, TraceInfo{5, {}, "eventful", {}, ""}); }  // no End record
  std::ifstream in(path, std::ios::binary);
  const std::string header((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Record.event {kind: 99, text: "x"}
  write_file(path, header + frame_block({std::string("\x22\x05\x08\x63\x2a\x01", 6) + "x"}));
  Trace t = read_trace(path);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(static_cast<unsigned>(t.events[0].kind), 99u);
  EXPECT_EQ(event_text(t.events[0], {}), "unknown event 99: x");
  EXPECT_THAT(t.truncation, HasSubstr("no End record"));
}

TEST(TraceEventsTest, ADivergenceReportShowsTheRecordingJustBeforeIt) {
  const std::string path = temp_path("diverge.trace");
  record_trace(eventful, options(6), path, "eventful");
  auto other = []() -> Coro<int> {
    auto worker = create_task([]() -> Coro<int> { co_return 1; }(), "worker");
    co_await sleep(3ms);  // a timer where the recording drew a random number
    co_return co_await worker;
  };
  auto run = replay_trace(other, path);
  ASSERT_TRUE(run.divergence);
  const std::string report = run.divergence->report();
  EXPECT_THAT(report, HasSubstr("the recording just before it:"));
  EXPECT_THAT(report, HasSubstr("task 1 'main'  started"));
  EXPECT_THAT(report, HasSubstr("'worker'  created by task 1 'main'"));
}

// Collects the events of a run as lines.
struct EventLines : TraceSink {
  std::vector<std::string> lines;
  void on_decision(const Decision&) override {}
  void on_log(TimePoint, std::uint64_t, std::string_view) override {}
  void on_event(const LoopEvent& e) noexcept override {
    lines.push_back(std::string(to_string(e.kind)) +
                    " t=" + std::to_string(e.time.time_since_epoch().count()) +
                    " task=" + std::to_string(e.task) + " other=" + std::to_string(e.other) + " " +
                    std::string(e.text));
  }
};

// For random task programs with failures and cancellations: a replay sees exactly the
// events the recorded run saw.
RC_GTEST_PROP(TraceEventLaws, RecordThenReplayGivesTheSameEvents, ()) {
  const auto plan = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 30));
  const auto s = *rc::gen::arbitrary<std::uint64_t>();
  const auto kind =
      *rc::gen::element(Strategy::kFifo, Strategy::kFaithful, Strategy::kRandom, Strategy::kPct);
  auto program = [&plan]() -> Coro<int> {
    std::vector<Task<void>> tasks;
    for (int p : plan)
      tasks.push_back(create_task([](int p) -> Coro<void> {
        co_await sleep(std::chrono::milliseconds(p % 7 + random_below(3)));
        if (p % 5 == 0) throw std::runtime_error("plan " + std::to_string(p));
      }(p)));
    co_await sleep(3ms);
    for (std::size_t i = 0; i < tasks.size(); i += 3) tasks[i].cancel("plan");
    auto results = co_await gather(return_exceptions, tasks);
    co_return static_cast<int>(results.size());
  };
  SimulationOptions o;
  o.seed = s;
  o.strategy.kind = kind;
  EventLines first, second;
  o.trace = &first;
  auto run = simulate(program, o);
  o.trace = &second;
  auto again = replay(program, run.decisions, o);
  RC_ASSERT(!again.divergence);
  RC_ASSERT(first.lines == second.lines);
  RC_ASSERT(!first.lines.empty());
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// Decision sites are shown by name (file:line) wherever a person reads them: the Chrome
// export and a replay's divergence report, not as 64-bit hashes.
TEST(TraceEventsTest, DecisionSitesAreNamedInTheChromeExportAndInDivergenceReports) {
  const std::string path = temp_path("sites.trace");
  record_trace(eventful, options(3), path, "eventful");
  std::ostringstream json;
  export_chrome(read_trace(path), json);
  EXPECT_THAT(json.str(), HasSubstr("\"site\":\"tests/replay/trace_events_test.cc:"));

  auto other = []() -> Coro<int> {
    co_return static_cast<int>(random_below(7) + random_below(9));  // other sites
  };
  auto run = replay_trace(other, path, "eventful");
  ASSERT_TRUE(run.divergence);
  const std::string report = run.divergence->report();
  EXPECT_THAT(report, HasSubstr("requested: random site=tests/replay/trace_events_test.cc:"));
  EXPECT_THAT(report, ::testing::Not(::testing::ContainsRegex("site=[0-9]{12,}")));
}

}  // namespace
}  // namespace lockstep
