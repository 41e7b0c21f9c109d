// Trace files: a run written as it happens reads back exactly and replays to the same
// run; every kind of bad file gets a one-line error naming the problem, never a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "replay/chrome_export.h"
#include "replay/crc32.h"
#include "replay/replay_trace.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The inline record checksum is zlib's CRC-32: same values at every length and
// alignment, from any starting value (a record's checksum continues over two pieces).
TEST(TraceChecksumTest, TheInlineCrcIsZlibs) {
  char buf[320];
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (char& c : buf) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(x >> 56);
  }
  for (std::size_t offset = 0; offset < 8; ++offset)
    for (std::size_t n = 0; n + offset <= 300; ++n)
      for (std::uint32_t start : {0u, 0x12345678u, 0xffffffffu})
        ASSERT_EQ(trace_crc32(start, buf + offset, n),
                  static_cast<std::uint32_t>(crc32(
                      start, reinterpret_cast<const Bytef*>(buf + offset), static_cast<uInt>(n))))
            << "offset " << offset << " length " << n;
}

// CRC-32C, the block checksum: the SSE4.2 instruction (where this CPU has it) and the
// portable tables agree at every length and alignment, from any starting value.
TEST(TraceChecksumTest, TheHardwareCrc32cIsThePortableOne) {
  char buf[320];
  std::uint64_t x = 0x2545F4914F6CDD1Dull;
  for (char& c : buf) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(x >> 56);
  }
  EXPECT_EQ(internal::crc32c_portable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(trace_crc32c(0, "123456789", 9), 0xE3069283u);
  std::printf("this CPU %s the crc32 instruction\n",
              internal::crc32c_has_hardware() ? "has" : "lacks");
  for (std::size_t offset = 0; offset < 8; ++offset)
    for (std::size_t n = 0; n + offset <= 300; ++n)
      for (std::uint32_t start : {0u, 0x12345678u, 0xffffffffu})
        ASSERT_EQ(internal::crc32c_hardware(start, buf + offset, n),
                  internal::crc32c_portable(start, buf + offset, n))
            << "offset " << offset << " length " << n;
}

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
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.at = CancellationFuzzing::Point::kWake;
  o.strategy.cancellation.probability = 0.5;
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

// Steps that cost nothing are no decisions: a replay that makes the same decisions in
// another order of steps is caught by the End record's schedule digest.
int order_flips = 0;
Coro<int> flipping_order() {
  const bool flip = ++order_flips % 2 == 0;  // state leaking from run to run
  auto yields = [](int n) -> Coro<void> {
    for (int i = 0; i < n; ++i) co_await sleep(std::chrono::seconds(0));
  };
  auto a = create_task(yields(flip ? 3 : 1));
  auto b = create_task(yields(flip ? 1 : 3));
  co_await gather(a, b);
  co_return 0;
}

TEST(TraceTest, AReplayThatStepsInAnotherOrderDiverges) {
  const std::string path = temp_path("order.trace");
  SimulationOptions o = seed(1);
  o.strategy.step_cost_percent = 0;
  o.strategy.timer_delay_percent = 0;
  auto run = record_trace(flipping_order, o, path, "flipping");
  ASSERT_TRUE(read_trace(path).end);
  EXPECT_NE(read_trace(path).end->schedule_digest, 0u);
  EXPECT_EQ(read_trace(path).end->schedule_digest, run.schedule_digest);
  auto again = replay_trace(flipping_order, path, "flipping");
  ASSERT_TRUE(again.divergence);
  EXPECT_THAT(again.divergence->report(), HasSubstr("took their steps in another order"));
  auto third = replay_trace(flipping_order, path, "flipping");  // flipped back: the same
  EXPECT_FALSE(third.divergence);
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
  // A block length far beyond any real block (after the header and its checksum).
  std::string huge = good.substr(0, 16 + 1 + static_cast<unsigned char>(good[16]) + 4);
  huge += std::string("\xb4\xff\xff\xff\xff", 5) + std::string(64, '\0');
  EXPECT_THAT(error_of(huge), HasSubstr("implausible length 4294967295"));
}

TEST(TraceTest, ANewerFormatVersionIsRefusedWithTheWritersVersion) {
  // A header with format_version 99 and lockstep_version "9.9": field 1 varint, field 2
  // string.
  std::string header = std::string("\x08\x63\x12\x03", 4) + "9.9";
  std::string bytes = std::string("LOCKSTEP-TRACE\n\0", 16);
  bytes.push_back(static_cast<char>(header.size()));
  bytes += header;
  const std::string e = error_of(bytes);
  EXPECT_THAT(e, HasSubstr("trace format version 99 is newer than this lockstep reads (" +
                           std::to_string(kTraceFormatVersion) + ")"));
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
      // Only a cut inside the header may fail; a cut is never mistaken for damage.
      EXPECT_EQ(dynamic_cast<const TraceCorruptError*>(&e), nullptr) << e.what();
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

TEST(TraceTest, BytesPerAwaitAreFew) {
  const std::string path = temp_path("size.trace");
  constexpr int kAwaits = 100 * 50;
  auto busy = []() -> Coro<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 100; ++i)
      tasks.push_back(create_task([]() -> Coro<void> {
        for (int k = 0; k < 50; ++k) co_await sleep(std::chrono::milliseconds(random_below(10)));
      }()));
    co_await gather(tasks);
  };
  auto run = record_trace(busy, seed(5), path, "p");
  const double per_await = static_cast<double>(read_file(path).size()) / kAwaits;
  ::testing::Test::RecordProperty("bytes_per_await", std::to_string(per_await));
  std::printf("%zu decisions, %.2f bytes per await\n", run.decisions.size(), per_await);
  // Each await: a draw, a timer's lateness, a suspension, the timer firing, a wakeup, and
  // one step in ten costing time. 250 bytes in format 3 (a record each, protobuf-coded,
  // with a checksum); format 4 packs decisions and events and checksums blocks (38
  // bytes); format 5 drops the step costs of steps that cost nothing (36).
  EXPECT_LT(per_await, 37.0);
}

// Format 4: records in blocks, each block with a CRC-32. Damage is told apart from a run
// that died mid-write, named by offset, and read around on request.

TEST(TraceIntegrityTest, TheChecksumIsZlibsCrc32) {
  EXPECT_EQ(trace_checksum("123456789"), 0xCBF43926u);  // the CRC-32 check value
  auto le32 = [](std::uint32_t v) {
    std::string le;
    for (int i = 0; i < 4; ++i) le.push_back(static_cast<char>(v >> (8 * i)));
    return le;
  };
  // A block: marker, payload length, the payload (a record "ab" with its length), CRC-32C.
  EXPECT_EQ(block_checksum("123456789"), 0xE3069283u);  // the CRC-32C check value
  const std::string block = std::string("\xb4\x03\x00\x00\x00\x02", 6) + "ab";
  EXPECT_EQ(frame_block({"ab"}), block + le32(block_checksum(block)));
  // Format 3's frame: varint length, bytes, CRC.
  EXPECT_EQ(frame_record("ab"),
            std::string("\x02", 1) + "ab" + le32(trace_checksum(std::string("\x02", 1) + "ab")));
}

// Where the header and each block of a format-4 trace start: after the magic, the header
// is a varint length, that many bytes and a checksum; a block is a marker byte, a 4-byte
// length, that many bytes and a checksum.
// The varint at bytes[at], `at` moved past it.
std::uint64_t varint_at(const std::string& bytes, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(bytes[at++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::vector<std::size_t> block_offsets(const std::string& bytes) {
  std::vector<std::size_t> offsets{16};
  std::size_t at = 16;
  const std::uint64_t header = varint_at(bytes, at);
  at += header + 4;
  while (at < bytes.size()) {
    offsets.push_back(at);
    EXPECT_EQ(static_cast<unsigned char>(bytes[at]), 0xb4u) << "a block marker at " << at;
    std::uint32_t block = 0;
    for (int i = 0; i < 4; ++i)
      block |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1 + i])) << (8 * i);
    at += 5 + block + 4;
  }
  EXPECT_EQ(at, bytes.size());
  return offsets;  // [0] is the header's
}

struct Recorded {
  std::string path;
  std::string bytes;
  std::vector<std::size_t> blocks;
  SimulationResult<int> run;
};

Recorded recorded(const std::string& name, std::uint64_t s = 6) {
  const std::string path = temp_path(name);
  auto run = record_trace(program, seed(s), path, "p");
  std::string bytes = read_file(path);
  auto blocks = block_offsets(bytes);
  return {path, std::move(bytes), std::move(blocks), std::move(run)};
}

// What a salvaging read kept is the run's decisions less one stretch at the gap: a prefix
// before it, a suffix after it.
void expect_run_less_one_stretch(const Trace& t, const std::vector<Decision>& run) {
  ASSERT_EQ(t.gaps.size(), 1u);
  const std::size_t before = t.gaps[0].after_decisions;
  ASSERT_LE(t.decisions.size(), run.size());
  for (std::size_t i = 0; i < before; ++i) EXPECT_EQ(t.decisions[i], run[i]) << i;
  const std::size_t lost = run.size() - t.decisions.size();
  for (std::size_t i = before; i < t.decisions.size(); ++i) {
    EXPECT_EQ(t.decisions[i].kind, run[i + lost].kind) << i;
    EXPECT_EQ(t.decisions[i].value, run[i + lost].value) << i;
  }
}

TEST(TraceIntegrityTest, TheRunIsWrittenInSeveralBlocks) {
  // Each log line ends a block (it is worth having even if the run dies right after).
  Recorded r = recorded("blocks.trace");
  EXPECT_GE(r.blocks.size(), 6u);
}

TEST(TraceIntegrityTest, AChangedLengthInTheMiddleIsCorruptionAtItsOffsetNotATruncation) {
  Recorded r = recorded("length.trace");
  const std::size_t at = r.blocks[r.blocks.size() / 2];
  const std::string where = "corrupt block at offset " + std::to_string(at) + " (";
  // Every other value of the length's low byte: shorter, longer, zero.
  for (int v = 0; v < 256; ++v) {
    if (static_cast<char>(v) == r.bytes[at + 1]) continue;
    std::string bad = r.bytes;
    bad[at + 1] = static_cast<char>(v);
    write_file(r.path, bad);
    try {
      read_trace(r.path);
      ADD_FAILURE() << "length byte " << v << " read as a clean trace";
    } catch (const TraceCorruptError& e) {
      EXPECT_EQ(e.offset(), at);
      EXPECT_THAT(e.what(), StartsWith(r.path + ": " + where)) << "length byte " << v;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  // The one-line message for the usual case.
  std::string bad = r.bytes;
  bad[at + 1] = static_cast<char>(bad[at + 1] - 1);
  EXPECT_THAT(error_of(bad), HasSubstr(where + "checksum mismatch)"));
  // And a block that is not there.
  bad = r.bytes;
  bad[at] = 'x';
  EXPECT_THAT(error_of(bad), HasSubstr(where + "no block starts here)"));
}

TEST(TraceIntegrityTest, ALengthRunningPastTheEndWithIntactBlocksAfterItIsCorruption) {
  Recorded r = recorded("past-end.trace");
  const std::size_t at = r.blocks[r.blocks.size() - 3];
  std::string bad = r.bytes;
  const std::size_t past = bad.size() - at;  // more than the rest of the file
  for (int i = 0; i < 4; ++i) bad[at + 1 + i] = static_cast<char>(past >> (8 * i));
  EXPECT_THAT(error_of(bad), HasSubstr("corrupt block at offset " + std::to_string(at) +
                                       " (its length, " + std::to_string(past) +
                                       ", runs past the end of the file, yet an intact block "
                                       "follows at offset " +
                                       std::to_string(r.blocks[r.blocks.size() - 2]) + ")"));
}

TEST(TraceIntegrityTest, ATraceCutInsideABlockReadsAsTruncatedWithItsWholeRecords) {
  Recorded r = recorded("cut.trace");
  const std::size_t last = r.blocks.back();  // the block with the End record
  for (std::size_t cut : {last + 1, last + 5, last + 8, r.blocks[r.blocks.size() / 2] + 7}) {
    write_file(r.path, r.bytes.substr(0, cut));
    Trace t = read_trace(r.path);
    EXPECT_FALSE(t.end);
    EXPECT_THAT(t.truncation, HasSubstr("the file ends inside block #")) << "cut at " << cut;
  }
  // Cut inside the last block's checksum: every record of it is read, unchecked.
  write_file(r.path, r.bytes.substr(0, r.bytes.size() - 1));
  Trace t = read_trace(r.path);
  EXPECT_EQ(t.decisions, r.run.decisions);
  EXPECT_TRUE(t.end) << "the End record itself was whole";
  EXPECT_THAT(t.truncation, HasSubstr("read without a checksum"));
}

TEST(TraceIntegrityTest, AFlippedHeaderByteIsACorruptHeader) {
  Recorded r = recorded("header.trace");
  std::string bad = r.bytes;
  const std::size_t version = bad.find(kLockstepVersion);
  bad[version + 2] = static_cast<char>(bad[version + 2] + 1);  // "0.2.0": still parses
  EXPECT_THAT(error_of(bad), HasSubstr("corrupt header at offset 16 (checksum mismatch)"));
  // The format version itself, 5 -> 3 or 2: still read as checksummed, so still caught.
  for (char older : {'\x03', '\x02'}) {
    bad = r.bytes;
    const std::size_t field =
        bad.find(std::string{'\x08', static_cast<char>(kTraceFormatVersion)}, 16);
    ASSERT_LT(field, 20u);
    bad[field + 1] = older;
    EXPECT_THAT(error_of(bad), HasSubstr("corrupt header at offset 16 (checksum mismatch)"));
  }
}

TEST(TraceIntegrityTest, SalvageReadsEveryIntactBlockAroundADamagedOne) {
  Recorded r = recorded("salvage.trace");
  const Trace whole = read_trace(r.path, {.salvage = true});
  EXPECT_TRUE(whole.gaps.empty());
  EXPECT_EQ(whole.decisions, r.run.decisions);

  // Damage one byte inside a block in the middle: exactly that block is skipped.
  const std::size_t k = r.blocks.size() / 2;
  std::string bad = r.bytes;
  bad[r.blocks[k] + 7] = static_cast<char>(bad[r.blocks[k] + 7] ^ 0x10);
  write_file(r.path, bad);
  EXPECT_THROW(read_trace(r.path), TraceCorruptError);
  Trace t = read_trace(r.path, {.salvage = true});
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].offset, r.blocks[k]);
  EXPECT_EQ(t.gaps[0].end, r.blocks[k + 1]);
  EXPECT_EQ(t.gaps[0].why, "checksum mismatch");
  ASSERT_TRUE(t.end) << "the End record after the gap is read";
  EXPECT_EQ(t.end->decisions, r.run.decisions.size());
  expect_run_less_one_stretch(t, r.run.decisions);
}

TEST(TraceIntegrityTest, SalvageSkipsExactlyTheJunkInsertedBetweenBlocks) {
  Recorded r = recorded("junk.trace");
  const std::size_t at = r.blocks[r.blocks.size() / 3];
  std::string junk(37, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 37 + 11);
  write_file(r.path, r.bytes.substr(0, at) + junk + r.bytes.substr(at));
  try {
    read_trace(r.path);
    ADD_FAILURE();
  } catch (const TraceCorruptError& e) {
    EXPECT_EQ(e.offset(), at);
  }
  Trace t = read_trace(r.path, {.salvage = true});
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].offset, at);
  EXPECT_EQ(t.gaps[0].end, at + 37);
  EXPECT_EQ(t.decisions, r.run.decisions) << "nothing of the run was lost";
  ASSERT_TRUE(t.end);
}

TEST(TraceIntegrityTest, SalvageOfADamagedEndSaysTheEndWasSkipped) {
  Recorded r = recorded("end.trace");
  std::string bad = r.bytes;
  bad[bad.size() - 2] = static_cast<char>(bad[bad.size() - 2] ^ 1);  // the last checksum
  write_file(r.path, bad);
  Trace t = read_trace(r.path, {.salvage = true});
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].offset, r.blocks.back());
  EXPECT_EQ(t.gaps[0].end, bad.size());
  EXPECT_FALSE(t.end);
  EXPECT_THAT(t.truncation, HasSubstr("skipped as damaged"));
  ASSERT_LE(t.decisions.size(), r.run.decisions.size());
  for (std::size_t i = 0; i < t.decisions.size(); ++i)
    EXPECT_EQ(t.decisions[i], r.run.decisions[i]);
}

// A damaged byte anywhere after the header (every third one, to keep the test quick
// under ASan): a normal read throws, and a salvaging read skips the damaged block and
// keeps every other.
TEST(TraceIntegrityTest, AnyDamagedBlockByteIsCaughtAndSalvaged) {
  Recorded r = recorded("every.trace", 7);
  for (std::size_t i = r.blocks[1]; i < r.bytes.size(); i += 3) {
    std::string bad = r.bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x04);
    write_file(r.path, bad);
    EXPECT_THROW(read_trace(r.path), TraceCorruptError) << "byte " << i;
    Trace t = read_trace(r.path, {.salvage = true});
    ASSERT_EQ(t.gaps.size(), 1u) << "byte " << i;
    EXPECT_LE(t.gaps[0].offset, i);
    EXPECT_GT(t.gaps[0].end, i);
    const auto block = std::upper_bound(r.blocks.begin(), r.blocks.end(), i) - 1;
    EXPECT_EQ(t.gaps[0].offset, *block) << "byte " << i;
    expect_run_less_one_stretch(t, r.run.decisions);
  }
}

TEST(TraceIntegrityTest, SalvageAfterASkippedEventTextDoesNotGuessLaterReferences) {
  Recorded r = recorded("texts.trace", 7);
  const Trace whole = read_trace(r.path);
  // The first block holding an event's text of its own that a later event refers back to.
  std::size_t damaged = 0;
  for (std::size_t k = 1; k + 1 < r.blocks.size() && !damaged; ++k)
    if (r.bytes.substr(r.blocks[k], r.blocks[k + 1] - r.blocks[k]).find("sleep(") !=
        std::string::npos)
      damaged = k;
  ASSERT_NE(damaged, 0u) << "no event text to damage";
  std::string bad = r.bytes;
  bad[r.blocks[damaged] + 6] = static_cast<char>(bad[r.blocks[damaged] + 6] ^ 0x04);
  write_file(r.path, bad);
  Trace t = read_trace(r.path, {.salvage = true});  // no "refers to event text #N" error
  ASSERT_EQ(t.gaps.size(), 1u);
  std::size_t unknown = 0;
  for (const TraceEvent& e : t.events) unknown += e.text.starts_with("(unknown: ");
  EXPECT_GT(unknown, 0u);
  EXPECT_LT(t.events.size(), whole.events.size());
}

// Format 3 (a checksum per record) is still read: traces written by the lockstep before
// format 4, kept in testdata/: this program, seeds 6 and 7. It makes no random() calls,
// whose sites name source lines, so that it replays the same as long as the loop does.
Coro<int> fixture_program() {
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 4; ++i)
    tasks.push_back(create_task(
        [](int i) -> Coro<int> {
          co_await sleep(std::chrono::milliseconds(5 * (i + 1)));
          log("worker " + std::to_string(i) + " woke");
          co_await sleep(std::chrono::milliseconds(3));
          co_return i;
        }(i),
        "worker-" + std::to_string(i)));
  int total = 0;
  for (int v : co_await gather(tasks)) total += v;
  co_return total;
}

// Found the way Bazel says ($TEST_SRCDIR/$TEST_WORKSPACE, as CMake's test sets them too),
// else next to this file: __FILE__ is relative under both builds, so it serves only a
// test run from the source root.
std::string format3_fixture(std::uint64_t s) {
  const std::string name = "tests/replay/testdata/format3_seed" + std::to_string(s) + ".trace";
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    const char* workspace = std::getenv("TEST_WORKSPACE");
    return std::string(srcdir) + "/" + (workspace ? workspace : "lockstep") + "/" + name;
  }
  return name;
}

// Where each record of a format-3 trace starts: after the magic, the header and each
// record is a varint length, that many bytes and a 4-byte checksum.
std::vector<std::size_t> frame_offsets(const std::string& bytes) {
  std::vector<std::size_t> offsets;
  std::size_t at = 16;
  while (at < bytes.size()) {
    offsets.push_back(at);
    const std::uint64_t length = varint_at(bytes, at);
    at += length + 4;
  }
  EXPECT_EQ(at, bytes.size());
  return offsets;  // [0] is the header's
}

TEST(TraceFormat3Test, AFormat3TraceReadsAsTheSameRunAndReplays) {
  for (std::uint64_t s : {6, 7}) {
    const Trace old = read_trace(format3_fixture(s));
    EXPECT_EQ(old.format_version, 3u);
    EXPECT_TRUE(old.truncation.empty()) << old.truncation;
    const std::string path = temp_path("format4.trace");
    record_trace(fixture_program, seed(s), path, "fixture");
    const Trace now = read_trace(path);
    EXPECT_EQ(now.format_version, kTraceFormatVersion);
    EXPECT_EQ(old.decisions, now.decisions) << "seed " << s;
    ASSERT_EQ(old.events.size(), now.events.size());
    for (std::size_t i = 0; i < old.events.size(); ++i) {
      EXPECT_EQ(old.events[i].kind, now.events[i].kind) << i;
      EXPECT_EQ(old.events[i].time, now.events[i].time) << i;
      EXPECT_EQ(old.events[i].task, now.events[i].task) << i;
      EXPECT_EQ(old.events[i].other, now.events[i].other) << i;
      EXPECT_EQ(old.events[i].after_decisions, now.events[i].after_decisions) << i;
      // Texts that name no source line (those may move as this file changes).
      if (old.events[i].text.find(".cc:") == std::string::npos) {
        EXPECT_EQ(old.events[i].text, now.events[i].text) << i;
      }
    }
    ASSERT_EQ(old.logs.size(), 4u);
    ASSERT_EQ(now.logs.size(), 4u);
    for (std::size_t i = 0; i < old.logs.size(); ++i) {
      EXPECT_EQ(old.logs[i].text, now.logs[i].text);
      EXPECT_EQ(old.logs[i].time, now.logs[i].time);
    }
    ASSERT_TRUE(old.end);
    ASSERT_TRUE(now.end);
    EXPECT_EQ(old.end->end_time, now.end->end_time);
    auto again = replay_trace(fixture_program, format3_fixture(s), "fixture");
    EXPECT_FALSE(again.divergence);
    EXPECT_EQ(again.decisions, old.decisions);
  }
}

TEST(TraceFormat3Test, ADamagedFormat3RecordIsNamedAndSalvaged) {
  const std::string bytes = read_file(format3_fixture(6));
  ASSERT_GT(bytes.size(), 16u) << "missing fixture " << format3_fixture(6);
  const Trace whole = read_trace(format3_fixture(6));
  const std::vector<std::size_t> frames = frame_offsets(bytes);
  ASSERT_GT(frames.size(), 20u);
  const std::size_t k = frames.size() / 2;
  std::string bad = bytes;
  bad[frames[k] + 3] = static_cast<char>(bad[frames[k] + 3] ^ 0x10);
  EXPECT_THAT(error_of(bad), HasSubstr("corrupt record at offset " + std::to_string(frames[k]) +
                                       " (checksum mismatch)"));
  const std::string path = temp_path("format3-bad.trace");
  write_file(path, bad);
  Trace t = read_trace(path, {.salvage = true});
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].offset, frames[k]);
  EXPECT_EQ(t.gaps[0].end, frames[k + 1]);
  ASSERT_TRUE(t.end);
  EXPECT_GE(t.decisions.size() + 1, whole.decisions.size());
  // Cut inside a record: a truncation, not damage.
  write_file(path, bytes.substr(0, frames[k] + 2));
  EXPECT_THAT(read_trace(path).truncation, HasSubstr("the file ends inside record #"));
}

TEST(TraceIntegrityTest, AMalformedPackedRecordInAnIntactBlockIsNamed) {
  Recorded r = recorded("packed.trace");
  // After the last block: one whose checksum holds, holding a packed decision cut short
  // (its site varint unfinished) and one with a byte too many.
  const std::string cut_short = r.bytes.substr(0, r.blocks.back()) + frame_block({"\x9f\x81"});
  EXPECT_THAT(error_of(cut_short), HasSubstr("is not a well-formed packed record"));
  const std::string extra = r.bytes.substr(0, r.blocks.back()) + frame_block({"\x9f\x01\x05\x05"});
  EXPECT_THAT(error_of(extra), HasSubstr("is not a well-formed packed record"));
  // Two whose time deltas (zigzag INT64_MAX each) add up past any time: an error, not an
  // overflow.
  const std::string far("\x9d\x01\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01", 13);
  const std::string overflow = r.bytes.substr(0, r.blocks.back()) + frame_block({far, far});
  EXPECT_THAT(error_of(overflow), HasSubstr("moves the time out of range"));
  // A well-formed one reads back as the decision it codes.
  const std::string path = temp_path("packed-one.trace");
  write_file(path, r.bytes.substr(0, r.blocks[1]) + frame_block({"\x9f\x03\x02"}));
  const Trace t = read_trace(path);
  ASSERT_EQ(t.decisions.size(), 1u);
  EXPECT_EQ(t.decisions[0].kind, DecisionKind::kStepCost);
  EXPECT_EQ(t.decisions[0].site, 3u);
  EXPECT_EQ(t.decisions[0].task, 3u);
  EXPECT_EQ(t.decisions[0].value, 0u);
  EXPECT_EQ(t.decisions[0].ordinal, 2u);  // format 5: the step number follows
  EXPECT_EQ(t.decisions[0].bound,
            static_cast<std::uint64_t>(StrategyOptions().max_step_cost.count()));
}

// `bytes`, a trace of this format, under a header that says `version` (its checksum
// made again).
std::string with_format_version(const std::string& bytes, char version) {
  const std::vector<std::size_t> blocks = block_offsets(bytes);
  std::string message = bytes.substr(16, blocks[1] - 16);
  std::size_t from = 0;
  const std::uint64_t length = varint_at(message, from);
  message = message.substr(from, length);
  EXPECT_EQ(message.substr(0, 2), (std::string{'\x08', static_cast<char>(kTraceFormatVersion)}));
  message[1] = version;
  return bytes.substr(0, 16) + frame_record(message) + bytes.substr(blocks[1]);
}

TEST(TraceIntegrityTest, AStepsCostMovesTheClockOnFromFormat7) {
  // A step that cost 3ms at t=5ms: the loop goes on at 8ms, and so does the trace, without
  // a time on the next record (format 7). The same bytes read as format 6 leave the clock
  // at 5ms.
  const std::string path = temp_path("step-cost-clock.trace");
  const TimePoint at = TimePoint{} + 5ms;
  {
    TraceWriter w(path, TraceInfo{.seed = 1, .program = "p"});
    w.on_event(LoopEvent{LoopEvent::Kind::kTaskStarted, at, 2});
    w.on_decision(Decision{DecisionKind::kStepCost, 2,
                           duration_bound(DecisionKind::kStepCost, StrategyOptions{}), 3'000'000,
                           at, 2, 1});
    w.on_event(LoopEvent{LoopEvent::Kind::kTaskFinished, at + 3ms, 2});
    w.finish(TraceEnd{.ok = true,
                      .error = "",
                      .end_time = at + 3ms,
                      .steps = 1,
                      .decisions = 1,
                      .schedule_digest = 0});
  }
  const Trace t = read_trace(path);
  ASSERT_EQ(t.events.size(), 2u);
  ASSERT_EQ(t.decisions.size(), 1u);
  EXPECT_EQ(t.decisions[0].time, at);
  EXPECT_EQ(t.decisions[0].value, 3'000'000u);
  EXPECT_EQ(t.events[1].time, at + 3ms);

  write_file(path, with_format_version(read_file(path), 6));
  const Trace six = read_trace(path);
  EXPECT_EQ(six.format_version, 6u);
  ASSERT_EQ(six.events.size(), 2u);
  EXPECT_EQ(six.events[1].time, at);
}

TEST(TraceIntegrityTest, AStepCostPastTheEndOfTimeIsDamageOrDrawnToTheEnd) {
  // A crafted cost of 2^63 ns: format 7 moves the clock by it, so it is damage; a format-6
  // trace does not, and its timeline ends its step at the end of time (no overflow).
  const std::string path = temp_path("huge-step-cost.trace");
  const TimePoint at = TimePoint{} + 5ms;
  {
    TraceWriter w(path, TraceInfo{.seed = 1, .program = "p"});
    w.on_event(LoopEvent{LoopEvent::Kind::kTaskCreated, at, 2});
    w.on_decision(Decision{DecisionKind::kStepCost, 2,
                           duration_bound(DecisionKind::kStepCost, StrategyOptions{}),
                           std::uint64_t{1} << 63, at, 2, 1});
    w.finish(TraceEnd{
        .ok = true, .error = "", .end_time = at, .steps = 1, .decisions = 1, .schedule_digest = 0});
  }
  EXPECT_THAT(error_of(read_file(path)), HasSubstr("moves the time out of range"));
  write_file(path, with_format_version(read_file(path), 6));
  const Trace six = read_trace(path);
  ASSERT_EQ(six.decisions.size(), 1u);
  std::ostringstream json;
  export_chrome(six, json);
  EXPECT_THAT(json.str(), HasSubstr("traceEvents"));
}

// Format 6: a repeat record (0101 0ppp, a count) stands for copies of the events
// ppp + 1 back, in its own block only.
TEST(TraceIntegrityTest, ARepeatRecordCopiesEarlierEventsOfItsBlockOnly) {
  Recorded r = recorded("repeat.trace");
  const std::string header = r.bytes.substr(0, r.blocks[1]);
  const std::string suspended_2("\x41\x0b\x02", 3);  // task 2 suspends, at the same time
  const std::string suspended_3("\x41\x0b\x03", 3);  // task 3
  const std::string path = temp_path("repeat-one.trace");
  // Period 2, three times: tasks 2, 3, 2 again.
  write_file(path, header + frame_block({suspended_2, suspended_3, "\x51\x03"}));
  const Trace t = read_trace(path);
  ASSERT_EQ(t.events.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(t.events[i].kind, LoopEvent::Kind::kTaskSuspended) << i;
    EXPECT_EQ(t.events[i].task, i % 2 == 0 ? 2u : 3u) << i;
    EXPECT_EQ(t.events[i].sequence, i) << i;
  }
  // Reaching before the block's first event, in it or across blocks: damage named.
  EXPECT_THAT(error_of(header + frame_block({suspended_2, "\x51\x01"})),
              HasSubstr("record #2 repeats 1 events 2 back, and its block has 1 before it"));
  EXPECT_THAT(error_of(header + frame_block({suspended_2}) + frame_block({"\x50\x01"})),
              HasSubstr("record #2 repeats 1 events 1 back, and its block has 0 before it"));
  // A count of none, or of more than any writer makes; a count cut short.
  EXPECT_THAT(error_of(header + frame_block({suspended_2, std::string("\x50\x00", 2)})),
              HasSubstr("record #2 repeats 0 events"));
  EXPECT_THAT(error_of(header + frame_block({suspended_2, "\x50\x81\x02"})),
              HasSubstr("record #2 repeats 257 events"));
  // Back to an event with a text of its own (Record.event {kind: 11, task: 2, text: "x"}).
  const std::string with_text("\x22\x07\x08\x0b\x18\x02\x2a\x01x", 9);
  EXPECT_THAT(error_of(header + frame_block({with_text, "\x50\x01"})),
              HasSubstr("record #2 repeats 1 events back, past an event with a text"));
  EXPECT_THAT(error_of(header + frame_block({with_text, suspended_3, "\x51\x01"})),
              HasSubstr("record #3 repeats 2 events back, past an event with a text"));
  EXPECT_THAT(error_of(header + frame_block({suspended_2, "\x50\x81"})),
              HasSubstr("record #2 is not a well-formed packed record"));
  // Format 5 has no repeats: the same bytes under a format-5 header are refused.
  std::string message = header.substr(16);
  std::size_t at = 0;
  const std::uint64_t length = varint_at(message, at);
  message = message.substr(at, length);
  ASSERT_EQ(message.substr(0, 2), (std::string{'\x08', static_cast<char>(kTraceFormatVersion)}));
  message[1] = '\x05';
  const std::string format5 = header.substr(0, 16) + frame_record(message);
  EXPECT_EQ(read_trace(path).format_version, kTraceFormatVersion);
  EXPECT_THAT(error_of(format5 + frame_block({suspended_2, suspended_3, "\x51\x03"})),
              HasSubstr("record #3 is not a well-formed packed record"));
  write_file(path, format5 + frame_block({suspended_2, suspended_3}));
  EXPECT_EQ(read_trace(path).format_version, 5u);
  EXPECT_EQ(read_trace(path).events.size(), 2u);
}

TEST(TraceFormat3Test, PackedRecordsAreRefusedInAFormat3Trace) {
  const std::string bytes = read_file(format3_fixture(6));
  ASSERT_GT(bytes.size(), 16u) << "missing fixture " << format3_fixture(6);
  const std::vector<std::size_t> frames = frame_offsets(bytes);
  // A packed decision (step_cost at site 1: value 0, same time, usual bound, task = site),
  // which only format 4 has.
  const std::string packed("\x9f\x01", 2);
  EXPECT_THAT(error_of(bytes.substr(0, frames.back()) + frame_record(packed)),
              HasSubstr("cannot be parsed"));
}

}  // namespace
}  // namespace lockstep
