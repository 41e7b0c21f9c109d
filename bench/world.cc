// The simulated world's speed (issue 17): ./bazelw run //bench:world
//   seeds       seeds per second of a 3-node world with faults: the replicated register
//               of examples/world (20 writes and quorum reads under partitions and lost
//               messages, then a liveness check), one whole simulate() per seed
//   messages    network deliveries per second in those runs (segments and control)
//   idle_node   what an idle node costs: a world of 1,000 nodes that each sleep, run for
//               an hour of virtual time, per node (boot, its timer, its share of the run)
// Real time, ratios between commits matter more than the absolute figures.
#include "sim/world/world.h"

#include <cstdio>
#include <string>

#include "bench/report.h"
#include "examples/world/register.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace {

using namespace std::chrono_literals;
using lockstep::Coro;

constexpr std::uint64_t kSeeds = 300;
constexpr int kIdleNodes = 1000;

std::uint64_t delivered = 0;

Coro<void> register_world() {
  co_await register_example::scenario(register_example::ReadMode::kQuorum);
  delivered += static_cast<lockstep::SimNetwork&>(lockstep::network()).messages_sent();
}

Coro<void> idle() { co_await lockstep::sleep(1h); }

Coro<void> idle_world() {
  lockstep::World world;
  for (int i = 0; i < kIdleNodes; ++i) world.add_node("n" + std::to_string(i), idle);
  co_await lockstep::sleep(2h);
}

}  // namespace

int main() {
  {
    lockstep::bench::Stopwatch watch;
    std::uint64_t failed = 0;
    for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
      lockstep::SimulationOptions options;
      options.seed = seed;
      if (!lockstep::simulate(register_world, options).outcome.ok()) ++failed;
    }
    const double ns = static_cast<double>(watch.elapsed_ns());
    std::printf("workload=world_seeds n=%llu ns_per_op=%.0f peak_rss_kb=%ld\n",
                static_cast<unsigned long long>(kSeeds), ns / kSeeds,
                lockstep::bench::peak_rss_kb());
    std::printf("workload=world_messages n=%llu ns_per_op=%.1f peak_rss_kb=%ld\n",
                static_cast<unsigned long long>(delivered), ns / static_cast<double>(delivered),
                lockstep::bench::peak_rss_kb());
    std::fprintf(
        stderr,
        "check impl=lockstep workload=world_seeds failed=%llu seeds_per_s=%.0f msgs_per_s=%.0f\n",
        static_cast<unsigned long long>(failed), kSeeds / (ns / 1e9),
        static_cast<double>(delivered) / (ns / 1e9));
  }
  {
    lockstep::bench::Stopwatch watch;
    auto run = lockstep::simulate(idle_world, {});
    const double ns = static_cast<double>(watch.elapsed_ns());
    std::printf("workload=world_idle_node n=%d ns_per_op=%.0f peak_rss_kb=%ld\n", kIdleNodes,
                ns / kIdleNodes, lockstep::bench::peak_rss_kb());
    std::fprintf(stderr, "check impl=lockstep workload=world_idle_node ok=%d\n", run.outcome.ok());
  }
}
