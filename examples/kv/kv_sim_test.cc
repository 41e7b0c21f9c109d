// The kv store under simulation: the correct build keeps a linearizable history and one
// leader per term through crashes, partitions, lost messages and lost unsynced writes,
// over a sweep of seeds of each fault mix (the planted bugs: kv_bugs_test.cc).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "examples/kv/simulated.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"
#include "sim/testing/lockstep_test.h"

namespace {

LOCKSTEP_TEST(KvSim, TheCorrectStoreStaysLinearizableUnderFaults, .seeds = 20) {
  co_await kv::simulated_cluster({});
}

// Leaders change many times a run: still one leader per term, nothing acknowledged lost.
LOCKSTEP_TEST(KvSim, TheCorrectStoreElectsOneLeaderPerTermUnderElectionFaults, .seeds = 20) {
  co_await kv::simulated_cluster({}, kv::election_faults());
}

}  // namespace
