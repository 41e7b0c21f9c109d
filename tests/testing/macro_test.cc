// lockstep_test() (sim/testing/defs.bzl) hands its settings to the sweep: the BUILD file says
// seeds 5..9, strategy fifo, a fault plan, the determinism check, and each of them
// reaches the test's environment and its sweep.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "loop/lockstep.h"
#include "sim/testing/config.h"
#include "sim/testing/lockstep_test.h"

using namespace std::chrono_literals;

namespace {

int runs = 0;  // runs of the sweep below

// Each setting is either the BUILD file's or, when someone overrides it on the command
// line (LOCKSTEP_STRATEGY=random ./bazelw test //...), another value: then this test
// has nothing to check. A missing value is the macro's failure.
// Whether the command line changed what the BUILD file says (.bazelrc passes LOCKSTEP_*
// through), so that checking the BUILD file's settings makes no sense.
bool overridden(const lockstep::TestConfig& c) {
  return std::getenv("LOCKSTEP_SEED") || (c.seeds && *c.seeds != lockstep::SeedRange{5, 9}) ||
         (c.strategy && *c.strategy != lockstep::Strategy::kFifo) || c.shard.total > 1 ||
         !c.replay_file.empty() || !c.check_determinism || !c.cancel_spec.empty();
}

}  // namespace

TEST(MacroTest, TheBuildFilesSettingsAreTheEnvironment) {
  const lockstep::TestConfig c = lockstep::read_test_config();
  if (overridden(c)) GTEST_SKIP() << "settings overridden from the command line";
  EXPECT_EQ(c.seeds, (lockstep::SeedRange{5, 9}));
  EXPECT_EQ(c.strategy, lockstep::Strategy::kFifo);
  EXPECT_TRUE(c.check_determinism);
  ASSERT_FALSE(c.faults_file.empty());
  EXPECT_TRUE(std::filesystem::exists(c.faults_file)) << c.faults_file << " (a runfile)";
}

// Runs once per seed 5..9, twice each (the determinism check), under the plan.
LOCKSTEP_TEST(MacroTest, TheSweepRunsTheBuildFilesSeeds) {
  ++runs;
  for (int i = 0; i < 5; ++i) co_await lockstep::sleep(1ms);
  CO_EXPECT_GE(lockstep::Loop::current()->time(), lockstep::TimePoint(5ms));
}

TEST(MacroTest, ZZTheSweepRanEachSeedTwice) {  // after the sweep: gtest keeps file order
  const lockstep::TestConfig c = lockstep::read_test_config();
  if (overridden(c)) GTEST_SKIP() << "settings overridden";
  EXPECT_EQ(runs, 5 * 2);
}
