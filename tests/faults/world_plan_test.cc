// A fault plan's `world { ... }` entry (faults/world_plan.h, WorldPlan in
// sim/world/world.h): parsed and checked, written back, applied by a World (clocks,
// disks, latencies, scheduled and decided faults), stored in the trace header, shown by
// `lockstep show`, and replayed from the trace alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "faults/fault_plan.h"
#include "loop/lockstep.h"
#include "loop/net/network.h"
#include "loop/net/transport.h"
#include "replay/cli.h"
#include "replay/replay_trace.h"
#include "replay/trace_file.h"
#include "sim/disk/sim_file_system.h"
#include "sim/simulation.h"
#include "sim/world/world.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string error_of(const std::string& text) {
  try {
    parse_fault_plan(text, "plan.txt");
  } catch (const FaultPlanError& e) {
    return e.what();
  }
  return "";
}

TEST(WorldPlan, EveryFieldIsReadAndTheTextRoundTrips) {
  const FaultPlan plan = parse_fault_plan(R"(
    world {
      tick_ms: 50 nodes: "n1" nodes: "n2" crash: 0.1 max_down_ms: 400 max_down_at_once: 2
      partition: 0.2 partition_one_way: false max_partition_ms: 300 partition_mode: "reset"
      clients: "client"
      loss: 0.01 duplicate: 0.02 clock_step: 0.03 max_clock_step_ms: 250 swarm: true
      clocks { max_offset_ms: 50 max_drift_ppm: 100 }
      disk { fsync_error: 0.25 max_latency_ms: 5 capacity_bytes: 4096 }
      latency { from: "n1" to: "n2" shape: "heavy_tailed" min_ms: 1 max_ms: 500 alpha: 1.2 }
      latency { shape: "uniform" min_ms: 0 max_ms: 2 }
      crash_at { node: "n2" at_ms: 300 down_ms: 200 }
      partition_at { a: "n1" b: "n2" b: "client" one_way: true at_ms: 100 lasts_ms: 50 }
      link { from: "n1" loss: 0.3 duplicate: 0.1 }
    })");
  ASSERT_TRUE(plan.world);
  const WorldPlan& w = *plan.world;
  EXPECT_EQ(w.faults.tick, 50ms);
  EXPECT_EQ(w.faults.nodes, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(w.faults.crash, 0.1);
  EXPECT_EQ(w.faults.max_down, 400ms);
  EXPECT_EQ(w.faults.max_down_at_once, 2u);
  EXPECT_EQ(w.faults.partition, 0.2);
  EXPECT_FALSE(w.faults.partition_one_way);
  EXPECT_EQ(w.faults.clients, (std::vector<std::string>{"client"}));
  EXPECT_EQ(w.faults.max_partition, 300ms);
  EXPECT_EQ(w.faults.partition_mode, PartitionMode::kReset);
  EXPECT_EQ(w.faults.loss, 0.01);
  EXPECT_EQ(w.faults.duplicate, 0.02);
  EXPECT_EQ(w.faults.clock_step, 0.03);
  EXPECT_EQ(w.faults.max_clock_step, 250ms);
  EXPECT_TRUE(w.swarm);
  ASSERT_TRUE(w.clocks);
  EXPECT_EQ(w.clocks->max_offset, 50ms);
  EXPECT_EQ(w.clocks->max_drift_ppm, 100);
  ASSERT_TRUE(w.disk);
  EXPECT_EQ(w.disk->fsync_error, 0.25);
  EXPECT_EQ(w.disk->max_latency, 5ms);
  EXPECT_EQ(w.disk->capacity, 4096u);
  EXPECT_EQ(w.disk->write_error, 0);
  ASSERT_EQ(w.latencies.size(), 2u);
  EXPECT_EQ(w.latencies[0].from, "n1");
  EXPECT_EQ(w.latencies[0].latency, Latency::heavy_tailed(1ms, 500ms, 1.2));
  EXPECT_EQ(w.latencies[1].from, "*");
  EXPECT_EQ(w.latencies[1].to, "*");
  EXPECT_EQ(w.latencies[1].latency, Latency::uniform(0ms, 2ms));
  ASSERT_EQ(w.faults.links.size(), 1u);
  EXPECT_EQ(w.faults.links[0].from, "n1");
  EXPECT_EQ(w.faults.links[0].to, "*");
  EXPECT_EQ(w.faults.links[0].loss, 0.3);
  EXPECT_EQ(w.faults.links[0].duplicate, 0.1);
  ASSERT_EQ(w.faults.crashes.size(), 1u);
  EXPECT_EQ(w.faults.crashes[0].node, "n2");
  EXPECT_EQ(w.faults.crashes[0].at, 300ms);
  EXPECT_EQ(w.faults.crashes[0].down, 200ms);
  ASSERT_EQ(w.faults.partitions.size(), 1u);
  EXPECT_EQ(w.faults.partitions[0].b, (std::vector<std::string>{"n2", "client"}));
  EXPECT_TRUE(w.faults.partitions[0].one_way);
  EXPECT_EQ(w.faults.partitions[0].lasts, 50ms);

  const std::string text = to_text(plan);
  EXPECT_THAT(text, HasSubstr("world { tick_ms: 50"));
  EXPECT_EQ(to_text(parse_fault_plan(text)), text);
  // Defaults: those of WorldFaults.
  const FaultPlan empty = parse_fault_plan("world { }");
  ASSERT_TRUE(empty.world);
  EXPECT_EQ(empty.world->faults.tick, WorldFaults{}.tick);
  EXPECT_FALSE(empty.world->clocks);
  EXPECT_FALSE(empty.world->disk);
  EXPECT_EQ(to_text(parse_fault_plan(to_text(empty))), to_text(empty));
  EXPECT_FALSE(parse_fault_plan("await { }").world);
}

TEST(WorldPlan, BadEntriesAreNamed) {
  EXPECT_THAT(error_of("world { crash: 1.5 }"),
              HasSubstr("plan.txt: world: crash: probability 1.5 is not in [0, 1]"));
  EXPECT_THAT(error_of("world { tick_ms: 0 }"), HasSubstr("plan.txt: world: tick_ms must be"));
  EXPECT_THAT(error_of("world { partition_mode: \"drop\" }"),
              HasSubstr("plan.txt: world: unknown partition_mode 'drop'"));
  EXPECT_THAT(error_of("world { latency { shape: \"gamma\" min_ms: 1 } }"),
              HasSubstr("plan.txt: world: latency #0: unknown shape 'gamma'"));
  EXPECT_THAT(error_of("world { latency { max_ms: 1 } }"),
              HasSubstr("plan.txt: world: latency #0: min_ms is missing"));
  EXPECT_THAT(error_of("world { latency { shape: \"log_uniform\" min_ms: 5 max_ms: 1 } }"),
              HasSubstr("plan.txt: world: latency #0: Latency::log_uniform(min, max) needs"));
  EXPECT_THAT(error_of("world { crash_at { at_ms: 5 } }"),
              HasSubstr("plan.txt: world: crash_at #0: no node"));
  EXPECT_THAT(error_of("world { partition_at { a: \"n1\" } }"),
              HasSubstr("plan.txt: world: partition_at #0: needs hosts on both sides"));
  EXPECT_THAT(error_of("world { clocks { max_drift_ppm: 1000000 } }"),
              HasSubstr("plan.txt: world: clocks: max_drift_ppm 1000000 is not in [0, 999999]"));
  EXPECT_THAT(error_of("world { disk { fsync_error: -1 } }"),
              HasSubstr("plan.txt: world: disk: fsync_error: probability -1 is not in [0, 1]"));
  EXPECT_THAT(error_of("world { crashes: 1 }"), HasSubstr("has no field named \"crashes\""));
  EXPECT_THAT(error_of("world { link { loss: 0.8 duplicate: 0.4 } }"),
              HasSubstr("plan.txt: world: link #0: loss + duplicate is over 1"));
  // A plan built in code is checked too.
  FaultPlan plan;
  plan.world = WorldPlan{};
  plan.world->faults.loss = 2;
  EXPECT_THROW(make_injector(plan), FaultPlanError);
}

// --- A World under a plan ----------------------------------------------------------

// Answers every datagram on port 9000 with the global time it arrived, in ms.
struct Stamp : DatagramProtocol {
  std::shared_ptr<DatagramTransport> transport;
  void connection_made(std::shared_ptr<DatagramTransport> t) override { transport = t; }
  void datagram_received(std::string_view, const Address& from) override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        Loop::current()->global_time().time_since_epoch());
    transport->sendto(std::to_string(ms.count()), from);
  }
};

Coro<void> stamp_server() {
  DatagramOptions o;
  o.local = Address::parse("0.0.0.0:9000");
  auto t = co_await network().open_datagram(std::make_shared<Stamp>(), o);
  co_await sleep(std::chrono::hours(1));
}

struct Replies : DatagramProtocol {
  std::vector<std::string> got;
  void datagram_received(std::string_view d, const Address&) override { got.emplace_back(d); }
};

std::string up_text(World& world) {
  std::string out;
  for (const std::string& n : world.node_names())
    out += n + (world.node(n).up() ? " up" : " down") + ", ";
  return out;
}

const char* const kPlan = R"(
  world {
    clocks { max_offset_ms: 50 max_drift_ppm: 100 }
    disk { fsync_error: 0.25 }
    latency { from: "client" to: "n1" shape: "fixed" min_ms: 7 }
    crash_at { node: "n2" at_ms: 300 down_ms: 200 }
    crash_at { node: "n3" at_ms: 450 }
    partition_at { a: "client" b: "n1" at_ms: 100 lasts_ms: 100 }
  })";

// Pings n1 through the plan's partition and fixed latency; notes who is up when.
Coro<std::string> planned_world() {
  World world;
  for (const char* n : {"n1", "n2", "n3"}) world.add_node(n, [] { return stamp_server(); });
  auto replies = std::make_shared<Replies>();
  DatagramOptions o;
  o.local = Address::parse("client:0");
  auto client = co_await network().open_datagram(replies, o);
  std::string log;
  Task<void> faults = create_task(world.run_faults(1s), "faults");
  co_await sleep(150ms);  // inside the partition: lost
  client->sendto("ping", Address::parse("n1:9000"));
  co_await sleep(100ms);  // t=250ms: healed; arrives at 257ms
  client->sendto("ping", Address::parse("n1:9000"));
  co_await sleep(150ms);
  log += "t=400ms: " + up_text(world) + "\n";
  co_await sleep(200ms);
  log += "t=600ms: " + up_text(world) + "\n";
  co_await faults;
  log += "after: " + up_text(world) + "\n";
  log += "replies:";
  for (const std::string& r : replies->got) log += " " + r + "ms";
  log += "\nn2 booted " + std::to_string(world.node("n2").boots()) + " times, n3 " +
         std::to_string(world.node("n3").boots()) + " times\n";
  log += "n1's disk: fsync_error " +
         std::to_string(sim_file_system().disk("n1").options().faults.fsync_error) + "\n";
  bool skewed = false;
  for (const std::string& n : world.node_names()) {
    const NodeClock& c = world.node(n).clock();
    if (c.offset > 50ms || c.offset < -50ms || c.drift_ppm > 100 || c.drift_ppm < -100)
      log += n + "'s clock is outside the plan's bounds\n";
    skewed = skewed || c.offset != Duration::zero() || c.drift_ppm != 0;
  }
  log += skewed ? "clocks skewed\n" : "clocks perfect\n";
  client->close();
  co_return log;
}

SimulationOptions with_world_plan(std::uint64_t seed) {
  SimulationOptions o;
  o.seed = seed;
  o.strategy.step_cost_percent = 0;
  o.strategy.net_delay_percent = 0;
  o.strategy.timer_delay_percent = 0;
  o.faults = make_injector(parse_fault_plan(kPlan));
  return o;
}

TEST(WorldPlan, AWorldAppliesThePlan) {
  auto r = simulate(planned_world, with_world_plan(3));
  ASSERT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  EXPECT_EQ(r.outcome.value(),
            "t=400ms: n1 up, n2 down, n3 up, \n"
            "t=600ms: n1 up, n2 up, n3 down, \n"
            "after: n1 up, n2 up, n3 up, \n"
            "replies: 257ms\n"
            "n2 booted 2 times, n3 2 times\n"
            "n1's disk: fsync_error 0.250000\n"
            "clocks skewed\n");
  // Without the plan: no faults, no skew, the strategy's latency.
  SimulationOptions plain = with_world_plan(3);
  plain.faults = nullptr;
  auto p = simulate(planned_world, plain);
  ASSERT_TRUE(p.outcome.ok()) << describe_exception(p.outcome.exception());
  EXPECT_THAT(p.outcome.value(), HasSubstr("t=400ms: n1 up, n2 up, n3 up"));
  EXPECT_THAT(p.outcome.value(), HasSubstr("replies: 150ms 250ms\n"));
  EXPECT_THAT(p.outcome.value(), HasSubstr("clocks perfect"));
}

TEST(WorldPlan, TheTraceKeepsThePlanShowPrintsItAndReplayUsesIt) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/world_plan.trace";
  auto run = record_trace(planned_world, with_world_plan(5), path, "planned_world");
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  const Trace t = read_trace(path);
  EXPECT_THAT(t.info.fault_plan, HasSubstr("crash_at { node: \"n2\" at_ms: 300 down_ms: 200 }"));
  // The trace alone rebuilds the run: the plan comes from its header.
  auto again = replay_trace(planned_world, path, "planned_world");
  EXPECT_FALSE(again.divergence);
  ASSERT_TRUE(again.outcome.ok());
  EXPECT_EQ(again.outcome.value(), run.outcome.value());
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"show", path}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("  fault plan: world { tick_ms: 100"));
}

}  // namespace
}  // namespace lockstep
