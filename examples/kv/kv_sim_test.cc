// The kv store under simulation: the correct build keeps a linearizable history through
// crashes, partitions, lost messages and lost unsynced writes over a sweep of seeds; each
// planted bug is found by a seed, shrunk to the few decisions that matter, and replayed.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "examples/kv/simulated.h"
#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "sim/testing/lockstep_test.h"

namespace {

LOCKSTEP_TEST(KvSim, TheCorrectStoreStaysLinearizableUnderFaults, .seeds = 20) {
  co_await kv::simulated_cluster({});
}

// Finds up to `failures` failing seeds of `bugs` among the first `seeds`, shrinks them
// (the smallest result wins), replays the shrunk decisions; returns the result (failed
// false if no seed failed).
lockstep::ShrinkResult<void> find_shrink_replay(kv::Bugs bugs, std::uint64_t seeds,
                                                std::size_t failures) {
  auto program = [bugs] { return kv::simulated_cluster(bugs); };
  lockstep::SimulationOptions o;
  std::vector<std::vector<lockstep::Decision>> failing;
  for (std::uint64_t seed = 0; seed < seeds && failing.size() < failures; ++seed) {
    o.seed = seed;
    auto r = lockstep::simulate(program, o);
    if (r.outcome.ok()) continue;
    std::printf("seed %llu fails: %s\n", static_cast<unsigned long long>(seed),
                lockstep::describe_exception(r.outcome.exception()).c_str());
    failing.push_back(std::move(r.decisions));
  }
  if (failing.empty()) return {};
  lockstep::ShrinkOptions so;
  so.max_runs = 600;  // bounded: CI time
  so.same_failure = kv::same_failure;
  auto small = lockstep::shrink_best(program, failing, o, so);
  EXPECT_TRUE(small.failed);
  std::printf("%s", small.summary.c_str());
  auto again = lockstep::replay(program, small.run.decisions, o);
  EXPECT_FALSE(again.divergence.has_value());
  EXPECT_FALSE(again.outcome.ok()) << "the shrunk decisions no longer fail";
  return small;
}

TEST(KvSim, AnAckBeforeFsyncIsFoundShrunkToAFewDecisionsAndReplayed) {
  kv::Bugs bugs;
  bugs.ack_before_fsync = true;
  const auto small = find_shrink_replay(bugs, 200, 8);
  ASSERT_TRUE(small.failed) << "no seed of 200 found the planted bug";
  // An acknowledged entry lost: only a crash that takes unsynced writes can do it.
  EXPECT_NE(small.summary.find("unsynced writes to 'wal' lost"), std::string::npos)
      << small.summary;
  // The few that matter: crashes, the lost writes, a read (from over a thousand).
  EXPECT_LE(small.non_default_after, 10u) << small.summary;
}

}  // namespace
