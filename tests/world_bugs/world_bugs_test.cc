// The bug set as a regression check: within a bounded sweep each buggy variant fails
// (under the fixed fault mix or a swarm mix), its failure replays exactly, and each fixed
// variant never fails. ~30 s on 2 cores.
#include <gtest/gtest.h>

#include "tests/world_bugs/sweep.h"

namespace {

using lockstep::bugs::Mix;
using lockstep::bugs::Variant;

constexpr std::uint64_t kSeeds = 150;

class BugSet : public ::testing::TestWithParam<lockstep::bugs::Bug> {};

TEST_P(BugSet, BuggyFailsFixedDoesNot) {
  const lockstep::bugs::Bug& bug = GetParam();
  const auto mix = lockstep::bugs::sweep(bug, Variant::kBuggy, Mix::kFixed, 0, kSeeds);
  const auto swarm = lockstep::bugs::sweep(bug, Variant::kBuggy, Mix::kSwarm, 0, kSeeds);
  EXPECT_GT(mix.failures + swarm.failures, 0u) << bug.name << ": the bug went unnoticed";
  // A failure replays exactly (nothing depends on addresses, hash order or real time).
  if (mix.first_failure) {
    auto program = [&bug] { return bug.run(Variant::kBuggy, Mix::kFixed); };
    const auto check =
        lockstep::check_determinism(program, lockstep::bugs::run_options(*mix.first_failure));
    EXPECT_TRUE(check.deterministic) << bug.name << ": " << check.report;
  }
  for (Mix m : {Mix::kFixed, Mix::kSwarm}) {
    const auto fixed = lockstep::bugs::sweep(bug, Variant::kFixed, m, 0, kSeeds);
    EXPECT_EQ(fixed.failures, 0u) << bug.name << " (fixed) seed " << fixed.first_failure.value_or(0)
                                  << ": " << fixed.first_message;
  }
}

INSTANTIATE_TEST_SUITE_P(WorldBugs, BugSet, ::testing::ValuesIn(lockstep::bugs::all_bugs()),
                         [](const ::testing::TestParamInfo<lockstep::bugs::Bug>& info) {
                           std::string name;
                           for (char ch : info.param.name) name += std::isalnum(ch) ? ch : '_';
                           return name;
                         });

}  // namespace
