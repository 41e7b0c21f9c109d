// main() for test binaries with LOCKSTEP_TESTs (//sim/testing:main, instead of gtest_main).
//
// Under a sharded `bazel test`, gtest would deal whole tests to shards, and a sweep of
// 10,000 seeds would run on one shard. Here the seeds are dealt instead: every shard runs
// every sweep, each with its share of the seeds (sim/testing/config.h: Shard). Plain TESTs in
// the same binary are still dealt round-robin, so each runs on exactly one shard.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "sim/testing/config.h"
#include "sim/testing/lockstep_test.h"

namespace {

// Adds the plain tests that are not this shard's to gtest's negative filter.
void deal_plain_tests(const lockstep::Shard& shard) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  std::string excluded;
  std::uint64_t k = 0;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const ::testing::TestInfo& test = *suite.GetTestInfo(j);
      if (lockstep::internal::is_lockstep_test(suite.name(), test.name())) continue;
      if (k++ % shard.total != shard.index)
        excluded += (excluded.empty() ? "" : ":") + std::string(suite.name()) + "." + test.name();
    }
  }
  if (excluded.empty()) return;
  std::string filter = GTEST_FLAG_GET(filter);
  filter += (filter.find('-') == std::string::npos ? "-" : ":") + excluded;
  GTEST_FLAG_SET(filter, filter);
}

}  // namespace

int main(int argc, char** argv) {
  // Sharders other than Bazel (gtest-parallel, ctest) set only gtest's variables.
  if (!std::getenv("TEST_TOTAL_SHARDS") && std::getenv("GTEST_TOTAL_SHARDS")) {
    ::setenv("TEST_TOTAL_SHARDS", std::getenv("GTEST_TOTAL_SHARDS"), 1);
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    ::setenv("TEST_SHARD_INDEX", index ? index : "0", 1);
  }
  // Before gtest reads them: the shards are ours to deal.
  ::unsetenv("GTEST_TOTAL_SHARDS");
  ::unsetenv("GTEST_SHARD_INDEX");
  ::testing::InitGoogleTest(&argc, argv);
  lockstep::internal::enable_seed_sharding();
  try {
    const lockstep::Shard shard = lockstep::read_shard(lockstep::process_getenv);
    if (shard.total > 1) deal_plain_tests(shard);
  } catch (const std::exception&) {
    // Each LOCKSTEP_TEST reports the bad value as its failure.
  }
  // Tells Bazel this binary understands sharding.
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE"))
    std::ofstream(status, std::ios::app);
  const int failed = RUN_ALL_TESTS();
  // A replay that matched no test would otherwise pass green: a renamed test, a wrong
  // --test_filter or target.
  try {
    if (const auto why = lockstep::internal::unreplayed_trace()) {
      std::fprintf(stderr, "%s\n", why->c_str());
      return 1;
    }
  } catch (const std::exception&) {
    // The tests already failed, naming the bad variable.
  }
  return failed;
}
