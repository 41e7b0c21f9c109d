// The environment of a LOCKSTEP_TEST sweep: every variable read, every bad value named,
// and shards that deal each seed to exactly one of them.
#include "sim/testing/config.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "sim/testing/lockstep_test.h"

namespace lockstep {
namespace {

TestConfig read(std::map<std::string, std::string> env) {
  return read_test_config([&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

std::string error_of(std::map<std::string, std::string> env) {
  try {
    read(std::move(env));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigTest, NothingSetLeavesTheTestsDefaults) {
  const TestConfig c = read({});
  EXPECT_FALSE(c.seeds);
  EXPECT_FALSE(c.strategy);
  EXPECT_FALSE(c.cancel);
  EXPECT_TRUE(c.replay_file.empty());
  EXPECT_FALSE(c.check_determinism);
  EXPECT_TRUE(c.shrink);
  EXPECT_FALSE(c.keep_going);
  EXPECT_EQ(c.shard.total, 1u);
  EXPECT_FALSE(c.trace_dir.empty()) << "the temp dir";
  EXPECT_FALSE(c.trace_dir_is_bazel_outputs);
}

TEST(ConfigTest, SeedsAreACountARangeOrOneSeed) {
  EXPECT_EQ(read({{"LOCKSTEP_SEEDS", "1000"}}).seeds, (SeedRange{0, 999}));
  EXPECT_EQ(read({{"LOCKSTEP_SEEDS", "5..20"}}).seeds, (SeedRange{5, 20}));
  EXPECT_EQ(read({{"LOCKSTEP_SEEDS", "7..7"}}).seeds, (SeedRange{7, 7}));
  EXPECT_EQ(read({{"LOCKSTEP_SEED", "17"}}).seeds, (SeedRange{17, 17}));
  // One seed wins over a sweep (a BUILD file's LOCKSTEP_SEEDS must not block a replay).
  EXPECT_EQ(read({{"LOCKSTEP_SEED", "17"}, {"LOCKSTEP_SEEDS", "1000"}}).seeds, (SeedRange{17, 17}));
  EXPECT_EQ(to_string(SeedRange{5, 20}), "5..20");
  EXPECT_EQ(to_string(SeedRange{17, 17}), "17");
}

TEST(ConfigTest, EveryVariableIsRead) {
  const TestConfig c = read({{"LOCKSTEP_STRATEGY", "pct"},
                             {"LOCKSTEP_FAULTS", "plan.txt"},
                             {"LOCKSTEP_CANCEL", "random:0.25:enclosing"},
                             {"LOCKSTEP_REPLAY", "run.trace"},
                             {"LOCKSTEP_CHECK_DETERMINISM", "1"},
                             {"LOCKSTEP_SHRINK", "0"},
                             {"LOCKSTEP_KEEP_GOING", "yes"},
                             {"LOCKSTEP_TRACE_DIR", "/traces"},
                             {"TEST_UNDECLARED_OUTPUTS_DIR", "/bazel/outputs"},
                             {"TEST_TOTAL_SHARDS", "4"},
                             {"TEST_SHARD_INDEX", "3"},
                             {"TEST_SHARD_STATUS_FILE", "/status"},
                             {"TEST_TARGET", "//tests:foo"}});
  EXPECT_EQ(c.strategy, Strategy::kPct);
  EXPECT_EQ(c.faults_file, "plan.txt");
  ASSERT_TRUE(c.cancel);
  EXPECT_EQ(c.cancel->mode, CancellationFuzzing::Mode::kRandom);
  EXPECT_EQ(c.cancel->probability, 0.25);
  EXPECT_EQ(c.cancel->target, CancellationFuzzing::Target::kEnclosing);
  EXPECT_EQ(c.cancel_spec, "random:0.25:enclosing");
  EXPECT_EQ(c.replay_file, "run.trace");
  EXPECT_TRUE(c.check_determinism);
  EXPECT_FALSE(c.shrink);
  EXPECT_TRUE(c.keep_going);
  EXPECT_EQ(c.trace_dir, "/traces") << "LOCKSTEP_TRACE_DIR wins over Bazel's outputs";
  EXPECT_EQ(c.shard.index, 3u);
  EXPECT_EQ(c.shard.total, 4u);
  EXPECT_EQ(c.shard_status_file, "/status");
  EXPECT_EQ(c.bazel_target, "//tests:foo");
  const TestConfig b = read({{"TEST_UNDECLARED_OUTPUTS_DIR", "/bazel/outputs"}});
  EXPECT_EQ(b.trace_dir, "/bazel/outputs");
  EXPECT_TRUE(b.trace_dir_is_bazel_outputs);
}

TEST(ConfigTest, BadValuesNameTheVariable) {
  EXPECT_EQ(error_of({{"LOCKSTEP_SEEDS", "abc"}}),
            "LOCKSTEP_SEEDS='abc': expected a count of seeds (1000) or an inclusive range (5..20)");
  EXPECT_EQ(error_of({{"LOCKSTEP_SEEDS", "0"}}).substr(0, 19), "LOCKSTEP_SEEDS='0':");
  EXPECT_EQ(error_of({{"LOCKSTEP_SEEDS", "9..3"}}).substr(0, 22), "LOCKSTEP_SEEDS='9..3':");
  EXPECT_EQ(error_of({{"LOCKSTEP_SEEDS", "1..x"}}).substr(0, 22), "LOCKSTEP_SEEDS='1..x':");
  EXPECT_EQ(error_of({{"LOCKSTEP_SEED", "1e3"}}),
            "LOCKSTEP_SEED='1e3': expected one seed, a number such as 17");
  EXPECT_EQ(error_of({{"LOCKSTEP_SEED", "99999999999999999999999"}}).substr(0, 14),
            "LOCKSTEP_SEED=");
  EXPECT_EQ(error_of({{"LOCKSTEP_STRATEGY", "Random"}}),
            "LOCKSTEP_STRATEGY='Random': expected fifo, faithful, random or pct");
  for (const char* bad : {"random", "random:", "random:1.5", "random:-0.1",
                          "random:0.1:", "random:0.1:everything", "exhaustive", "sometimes"})
    EXPECT_EQ(error_of({{"LOCKSTEP_CANCEL", bad}}).substr(0, 17), "LOCKSTEP_CANCEL='") << bad;
  EXPECT_EQ(error_of({{"LOCKSTEP_CHECK_DETERMINISM", "maybe"}}),
            "LOCKSTEP_CHECK_DETERMINISM='maybe': expected 1 or 0 (true/false, yes/no)");
  EXPECT_EQ(error_of({{"LOCKSTEP_FAULTS", ""}}).substr(0, 19), "LOCKSTEP_FAULTS='':");
  EXPECT_EQ(error_of({{"TEST_TOTAL_SHARDS", "4"}, {"TEST_SHARD_INDEX", "4"}}),
            "TEST_SHARD_INDEX='4': expected a shard index below TEST_TOTAL_SHARDS=4");
  EXPECT_EQ(error_of({{"TEST_TOTAL_SHARDS", "0"}}).substr(0, 21), "TEST_TOTAL_SHARDS='0'");
}

TEST(ConfigTest, CancelSpecs) {
  EXPECT_EQ(parse_cancel_spec("off")->mode, CancellationFuzzing::Mode::kOff);
  EXPECT_EQ(parse_cancel_spec("random:0.05")->probability, 0.05);
  EXPECT_EQ(parse_cancel_spec("random:1:any")->target, CancellationFuzzing::Target::kAny);
  EXPECT_EQ(parse_cancel_spec("random:0:timeout")->target, CancellationFuzzing::Target::kTimeout);
  EXPECT_EQ(parse_cancel_spec("random:0.05")->tasks, "") << "the test's own pattern stays";
  const auto with_tasks = parse_cancel_spec("random:0.1:any:worker-*:x");
  ASSERT_TRUE(with_tasks);
  EXPECT_EQ(with_tasks->target, CancellationFuzzing::Target::kAny);
  EXPECT_EQ(with_tasks->tasks, "worker-*:x") << "the pattern is the rest of the spec";
  const auto wake = parse_cancel_spec("random:0.1:task@wake:consumer-*");
  ASSERT_TRUE(wake);
  EXPECT_EQ(wake->target, CancellationFuzzing::Target::kTask);
  EXPECT_EQ(wake->at, CancellationFuzzing::Point::kWake);
  EXPECT_EQ(wake->tasks, "consumer-*");
  EXPECT_EQ(parse_cancel_spec("random:0.1:any@both")->at, CancellationFuzzing::Point::kBoth);
  EXPECT_EQ(parse_cancel_spec("random:0.1:any")->at, CancellationFuzzing::Point::kSuspend);
  for (const char* bad : {"random", "random:", "random:2", "random:0.1:", "random:0.1:some",
                          "random:0.1:any:", "exhaustive:3", "on", "random:0.1:task@",
                          "random:0.1:@wake", "random:0.1:task@later"})
    EXPECT_FALSE(parse_cancel_spec(bad)) << bad;
}

RC_GTEST_PROP(ConfigTest, ShardsDealEverySeedToExactlyOneShard, ()) {
  const std::uint64_t first = *rc::gen::inRange<std::uint64_t>(0, 1000);
  const std::uint64_t count = *rc::gen::inRange<std::uint64_t>(1, 300);
  const std::uint64_t total = *rc::gen::inRange<std::uint64_t>(1, 12);
  const SeedRange range{first, first + count - 1};
  std::uint64_t shares = 0;
  for (std::uint64_t i = 0; i < total; ++i) shares += Shard{i, total}.share(range);
  RC_ASSERT(shares == count);
  for (std::uint64_t seed = range.first; seed <= range.last; ++seed) {
    int owners = 0;
    for (std::uint64_t i = 0; i < total; ++i) owners += Shard{i, total}.owns(range, seed);
    RC_ASSERT(owners == 1);
  }
  for (std::uint64_t i = 0; i < total; ++i) {
    std::uint64_t owned = 0;
    for (std::uint64_t seed = range.first; seed <= range.last; ++seed)
      owned += Shard{i, total}.owns(range, seed);
    RC_ASSERT(owned == (Shard{i, total}.share(range)));
  }
}

}  // namespace
}  // namespace lockstep

namespace lockstep::internal {
namespace {

// A rerun command printed by a binary built with --config=asan (or clang) names that
// config: without it the rerun builds another binary, and a crash may not reproduce.
TEST(ConfigTest, RerunCommandsNameTheConfigTheBinaryWasBuiltWith) {
  std::string expected;
#if defined(__SANITIZE_ADDRESS__)
  expected += " --config=asan";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  expected += " --config=asan";
#endif
#endif
#if defined(__clang__)
  expected += " --config=clang";
#endif
  EXPECT_EQ(build_configs(), expected);
}

}  // namespace
}  // namespace lockstep::internal

namespace lockstep {
namespace {

// A sharded sweep's log says which seeds the shard ran.
TEST(ConfigTest, AShardNamesItsSeeds) {
  const SeedRange range{0, 99};
  EXPECT_EQ((Shard{0, 1}.seeds_text(range)), "0..99");
  EXPECT_EQ((Shard{1, 4}.seeds_text(range)), "1, 5, ..., 97 (every 4th of 0..99)");
  EXPECT_EQ((Shard{2, 3}.seeds_text(SeedRange{10, 15})), "12, 15 (every 3rd of 10..15)");
  EXPECT_EQ((Shard{0, 4}.seeds_text(SeedRange{7, 7})), "7 (every 4th of 7)");
  EXPECT_EQ((Shard{3, 4}.seeds_text(SeedRange{0, 2})), "none of 0..2");
  EXPECT_EQ((Shard{0, 2}.seeds_text(SeedRange{0, 4})), "0, 2, 4 (every 2nd of 0..4)");
}

}  // namespace
}  // namespace lockstep
