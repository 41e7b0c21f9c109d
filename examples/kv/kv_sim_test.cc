// The kv store under simulation: the correct build keeps a linearizable history through
// crashes, partitions, lost messages and lost unsynced writes over a sweep of seeds; each
// planted bug is found by a seed, shrunk to the few decisions that matter, and replayed.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>

#include "examples/kv/simulated.h"
#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "sim/testing/lockstep_test.h"

namespace {

LOCKSTEP_TEST(KvSim, TheCorrectStoreStaysLinearizableUnderFaults, .seeds = 20) {
  co_await kv::simulated_cluster({});
}

// Finds a failing seed of `bugs` among the first `seeds`, shrinks it, replays the shrunk
// decisions; returns the shrink summary ("" if no seed failed).
std::string find_shrink_replay(kv::Bugs bugs, std::uint64_t seeds) {
  auto program = [bugs] { return kv::simulated_cluster(bugs); };
  lockstep::SimulationOptions o;
  std::optional<lockstep::SimulationResult<void>> failing;
  std::uint64_t seed = 0;
  for (; seed < seeds && !failing; ++seed) {
    o.seed = seed;
    auto r = lockstep::simulate(program, o);
    if (!r.outcome.ok()) failing = std::move(r);
  }
  if (!failing) return "";
  std::printf("first failure at seed %llu: %s\n", static_cast<unsigned long long>(seed - 1),
              lockstep::describe_exception(failing->outcome.exception()).c_str());
  lockstep::ShrinkOptions so;
  so.max_runs = 300;  // bounded: CI time
  so.same_failure = kv::same_failure;
  auto small = lockstep::shrink(program, failing->decisions, o, so);
  EXPECT_TRUE(small.failed);
  std::printf("%s", small.summary.c_str());
  auto again = lockstep::replay(program, small.run.decisions, o);
  EXPECT_FALSE(again.divergence.has_value());
  EXPECT_FALSE(again.outcome.ok()) << "the shrunk decisions no longer fail";
  return small.summary;
}

TEST(KvSim, AnAckBeforeFsyncIsFoundShrunkAndReplayed) {
  kv::Bugs bugs;
  bugs.ack_before_fsync = true;
  const std::string summary = find_shrink_replay(bugs, 200);
  ASSERT_FALSE(summary.empty()) << "no seed of 200 found the planted bug";
  // An acknowledged entry lost: only a crash that takes unsynced writes can do it.
  EXPECT_NE(summary.find("unsynced writes to 'wal' lost"), std::string::npos) << summary;
}

}  // namespace
