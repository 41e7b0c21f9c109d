// The world's faults: partitions (stall, reset, one way), per-message link faults, the
// decided fault schedule (run_faults, swarm), liveness, and shrink summaries in the
// world's terms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "loop/net/datagram.h"
#include "loop/net/errors.h"
#include "loop/net/streams.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "sim/testing/lockstep_test.h"
#include "sim/world/partitions.h"
#include "sim/world/world.h"

namespace {

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;
using lockstep::World;
using ::testing::HasSubstr;
using ::testing::Not;

Coro<void> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
}

Coro<void> echo_server() {
  const lockstep::ClientConnected handler = echo_lines;
  lockstep::Server server = co_await lockstep::start_server(handler, "0.0.0.0", 7000);
  co_await server.serve_forever();
}

LOCKSTEP_TEST(WorldFaults, APartitionHoldsAStreamUntilItHeals, .seeds = 20) {
  World world;
  world.add_node("n1", echo_server);
  auto [reader, writer] = co_await lockstep::open_connection("n1", 7000);
  writer.write("one\n");
  CO_ASSERT_EQ(co_await reader.readline(), "one\n");
  world.partition({"client"}, {"n1"});
  writer.write("two\n");
  bool timed_out = false;
  try {
    co_await lockstep::wait_for(reader.readline(), 2s);
  } catch (const lockstep::TimeoutError&) {
    timed_out = true;
  }
  CO_ASSERT_TRUE(timed_out);
  world.heal();
  CO_ASSERT_EQ(co_await reader.readline(), "two\n");  // nothing lost: TCP kept trying
}

LOCKSTEP_TEST(WorldFaults, InResetModeAPartitionResetsTheConnection, .seeds = 20) {
  World world;
  world.network().set_partition_mode(lockstep::PartitionMode::kReset);
  world.add_node("n1", echo_server);
  auto [reader, writer] = co_await lockstep::open_connection("n1", 7000);
  world.partition({"client"}, {"n1"});
  writer.write("lost\n");
  bool reset = false;
  try {
    co_await reader.readline();
  } catch (const lockstep::ConnectionResetError&) {
    reset = true;
  }
  CO_ASSERT_TRUE(reset);
}

// Counts datagrams it receives on port 9000; sends `n` to `peer` meanwhile.
struct Counter {
  int received = 0;
};

Coro<void> datagram_node(Counter& counter, std::string peer, int n) {
  lockstep::DatagramEndpointOptions options;
  options.local = lockstep::Address::parse("0.0.0.0:9000");
  lockstep::DatagramEndpoint ep = co_await lockstep::open_datagram_endpoint(options);
  auto receiving = [](lockstep::DatagramEndpoint& e, Counter& c) -> Coro<void> {
    for (;;) {
      co_await e.recvfrom();
      ++c.received;
    }
  };
  auto task = lockstep::create_task(receiving(ep, counter));
  co_await lockstep::sleep(10ms);
  const lockstep::Address to = lockstep::Address::parse(peer + ":9000");
  for (int i = 0; i < n; ++i) {
    co_await ep.sendto("x", to);
    co_await lockstep::sleep(1ms);
  }
  co_await lockstep::sleep(1h);
  (void)task;
}

LOCKSTEP_TEST(WorldFaults, AOneWayPartitionLosesOneDirectionOnly, .seeds = 10) {
  World world;
  Counter a, b;
  world.partition_one_way({"a"}, {"b"});
  world.add_node("a", [&a] { return datagram_node(a, "b", 20); });
  world.add_node("b", [&b] { return datagram_node(b, "a", 20); });
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(b.received, 0);   // a -> b is cut
  CO_ASSERT_EQ(a.received, 20);  // b -> a passes
  CO_ASSERT_EQ(world.network().datagrams_lost(), 20u);
}

// A node bound to 0.0.0.0 answers from its own address, so a reply to Datagram::from
// comes back (Linux fills in the source address of a wildcard-bound socket).
Coro<void> udp_echo() {
  lockstep::DatagramEndpointOptions options;
  options.local = lockstep::Address::parse("0.0.0.0:9000");
  lockstep::DatagramEndpoint ep = co_await lockstep::open_datagram_endpoint(options);
  for (;;) {
    lockstep::Datagram d = co_await ep.recvfrom();
    co_await ep.sendto(d.data, d.from);
  }
}

Coro<void> udp_ask(std::string& got) {
  lockstep::DatagramEndpointOptions options;
  options.local = lockstep::Address::parse("0.0.0.0:0");
  lockstep::DatagramEndpoint ep = co_await lockstep::open_datagram_endpoint(options);
  co_await ep.sendto("ping", lockstep::Address::parse("server:9000"));
  lockstep::Datagram reply = co_await ep.recvfrom();
  got = reply.data + " from " + reply.from.to_string();
}

LOCKSTEP_TEST(WorldFaults, AWildcardBoundEndpointSendsFromItsHost, .seeds = 5) {
  World world;
  world.add_node("server", udp_echo);
  std::string got;
  world.add_node("asker", [&got] { return udp_ask(got); });
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(got, "ping from server:9000");
}

LOCKSTEP_TEST(WorldFaults, LinkFaultsLoseAndDuplicateDatagrams, .seeds = 10) {
  World world;
  world.network().set_link_faults(lockstep::LinkFaults{.loss = 0.2, .duplicate = 0.2});
  Counter a, b;
  world.add_node("a", [&a] { return datagram_node(a, "b", 200); });
  world.add_node("b", [&b] { return datagram_node(b, "a", 0); });
  co_await lockstep::sleep(2s);
  const auto lost = world.network().datagrams_lost();
  const auto dup = world.network().datagrams_duplicated();
  CO_ASSERT_GT(lost, 10u);
  CO_ASSERT_GT(dup, 10u);
  CO_ASSERT_EQ(static_cast<std::uint64_t>(b.received), 200 - lost + dup);
}

LOCKSTEP_TEST(WorldFaults, ALinkWithFaultsOfItsOwnLosesOnlyItsMessages, .seeds = 5) {
  World world;
  auto& net = world.network();
  net.set_link_faults(lockstep::LinkFaults{.loss = 0.5});          // links without their own
  net.set_link_faults("a", "b", lockstep::LinkFaults{.loss = 1});  // a -> b: all lost
  net.set_link_faults("d", "*", lockstep::LinkFaults{});           // d's links: perfect
  Counter a, b, unused;
  world.add_node("a", [&a] { return datagram_node(a, "b", 30); });
  world.add_node("b", [&b] { return datagram_node(b, "a", 0); });
  world.add_node("c", [&unused] { return datagram_node(unused, "a", 30); });
  world.add_node("d", [&unused] { return datagram_node(unused, "b", 30); });
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(b.received, 30);  // d's 30, none of a's
  CO_ASSERT_GT(a.received, 0);   // c -> a: the global 0.5
  CO_ASSERT_LT(a.received, 30);
  CO_ASSERT_EQ(world.network().datagrams_lost(), static_cast<std::uint64_t>(60 - a.received));
  CO_ASSERT_THROW(net.set_link_faults("", "b", {}), std::invalid_argument);
  CO_ASSERT_THROW(
      net.set_link_faults("a", "b", lockstep::LinkFaults{.loss = 0.7, .duplicate = 0.7}),
      std::invalid_argument);
}

Coro<void> line_pump(int n) {
  auto [reader, writer] = co_await lockstep::open_connection("n1", 7000);
  for (int i = 0; i < n; ++i) writer.write("line " + std::to_string(i) + "\n");
  for (int i = 0; i < n; ++i)
    CO_ASSERT_EQ(co_await reader.readline(), "line " + std::to_string(i) + "\n");
  writer.close();
}

LOCKSTEP_TEST(WorldFaults, StreamsNeverLoseOrReorderBytesUnderLinkFaults, .seeds = 10) {
  World world;
  world.network().set_link_faults(lockstep::LinkFaults{.loss = 0.5, .duplicate = 0.5});
  world.add_node("n1", echo_server);
  const auto start = world.loop().global_time();
  co_await line_pump(300);
  // Retransmissions cost time (an RTO each), never bytes.
  CO_ASSERT_GT(world.loop().global_time() - start, 200ms);
}

// A quorum-less "service": run_faults crashes and partitions it; afterwards every node
// is up and reachable again.
LOCKSTEP_TEST(WorldFaults, AfterRunFaultsEveryNodeIsBackAndReachable, .seeds = 30) {
  World world;
  for (const char* n : {"n1", "n2", "n3"}) world.add_node(n, echo_server);
  co_await world.run_faults({.crash = 0.2,
                             .max_down = 500ms,
                             .partition = 0.2,
                             .max_partition = 500ms,
                             .loss = 0.1,
                             .clock_step = 0.1},
                            3s);
  for (const char* n : {"n1", "n2", "n3"}) {
    CO_ASSERT_TRUE(world.node(n).up());
    co_await lockstep::sleep(10ms);
    auto [reader, writer] = co_await world.within(1s, lockstep::open_connection(n, 7000),
                                                  std::string("connecting to ") + n);
    writer.write("ping\n");
    CO_ASSERT_EQ(co_await reader.readline(), "ping\n");
    writer.close();
  }
}

lockstep::SimulationOptions quiet() { return {}; }

// What a run of the schedule did, for comparing runs.
Coro<std::string> scheduled_run() {
  World world;
  for (const char* n : {"n1", "n2", "n3"}) world.add_node(n, echo_server);
  co_await world.run_faults({.crash = 0.1, .partition = 0.1, .clock_step = 0.05}, 5s);
  std::string out;
  for (const char* n : {"n1", "n2", "n3"})
    out += std::string(n) + " crashed " + std::to_string(world.node(n).crashes()) + " ";
  co_return out;
}

TEST(WorldFaultsTest, TheFaultScheduleIsDecidedByTheSeedAndReplays) {
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    auto o = quiet();
    o.seed = seed;
    auto a = lockstep::simulate(scheduled_run, o);
    auto b = lockstep::simulate(scheduled_run, o);
    ASSERT_TRUE(a.outcome.ok()) << lockstep::describe_exception(a.outcome.exception());
    EXPECT_EQ(a.outcome.value(), b.outcome.value());
    EXPECT_EQ(a.decisions, b.decisions);
    auto r = lockstep::replay(scheduled_run, a.decisions, o);
    EXPECT_FALSE(r.divergence) << r.divergence->report();
    EXPECT_EQ(r.outcome.value(), a.outcome.value());
    outcomes.insert(a.outcome.value());
  }
  EXPECT_GT(outcomes.size(), 2u);  // seeds differ in what they crash
}

// Decided faults fall on a fixed grid (start + k * tick, late only by that one wake-up):
// a late wake-up of the fault loop must not move every later fault, or shrinking any
// timing decision slides the crashes off the moments that made a run fail (kv's
// failures kept a hundred step costs for that).
TEST(WorldFaultsTest, DecidedFaultsFallOnAFixedTickGrid) {
  auto o = quiet();
  o.seed = 3;
  auto run = lockstep::simulate(scheduled_run, o);
  ASSERT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  int checked = 0;
  for (const lockstep::Decision& d : run.decisions) {
    if (d.kind != lockstep::DecisionKind::kCrash || d.bound != 2) continue;
    const auto since_tick = d.time.time_since_epoch() % 100ms;  // run_faults starts at 0
    EXPECT_LT(since_tick, 15ms) << lockstep::describe(d);
    ++checked;
  }
  EXPECT_GT(checked, 60);  // 5s of ticks, three nodes
}

// The partitions run_faults decided, as "{n1} | {n2,client}" lines.
std::set<std::string> decided_partitions(const lockstep::SimulationResult<void>& r) {
  std::set<std::string> out;
  for (const lockstep::Decision& d : r.decisions) {
    if (d.kind != lockstep::DecisionKind::kPartition || d.value == 0) continue;
    const auto it = r.site_names.find(d.site);
    if (it == r.site_names.end()) continue;
    const std::string shape = lockstep::describe_partition_choice(it->second, d.value);
    if (!shape.empty()) out.insert(shape);
  }
  return out;
}

Coro<void> partitioned_run(std::vector<std::string> clients) {
  World world;
  for (const char* n : {"n1", "n2", "n3"}) world.add_node(n, echo_server);
  lockstep::WorldFaults faults;
  faults.partition = 0.5;
  faults.clients = std::move(clients);
  faults.max_partition = 200ms;
  co_await world.run_faults(faults, 3s);
}

TEST(WorldFaultsTest, PartitionsCutOffTheClientOnlyWhenAsked) {
  auto partitions_with = [](std::vector<std::string> clients) {
    std::set<std::string> all;
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      auto o = quiet();
      o.seed = seed;
      auto r = lockstep::simulate([clients] { return partitioned_run(clients); }, o);
      EXPECT_TRUE(r.outcome.ok()) << lockstep::describe_exception(r.outcome.exception());
      const auto shapes = decided_partitions(r);
      all.insert(shapes.begin(), shapes.end());
    }
    return all;
  };
  const auto nodes_only = partitions_with({});
  const auto with_client = partitions_with({"client"});
  ASSERT_FALSE(nodes_only.empty());
  for (const std::string& s : nodes_only) EXPECT_THAT(s, Not(HasSubstr("client")));
  EXPECT_TRUE(std::any_of(with_client.begin(), with_client.end(), [](const std::string& s) {
    return s.find("client") != s.npos;
  })) << ::testing::PrintToString(with_client);
  auto bad = lockstep::simulate(
      []() -> Coro<void> {
        World world;
        world.add_node("n1", echo_server);
        lockstep::WorldFaults faults;  // named: g++ 12 and braced temporaries in co_await
        faults.partition = 0.5;
        faults.clients = {"n1"};
        co_await world.run_faults(faults, 1s);
      },
      quiet());
  ASSERT_FALSE(bad.outcome.ok());
  EXPECT_THAT(lockstep::describe_exception(bad.outcome.exception()),
              HasSubstr("client 'n1' is not a host outside the world"));
}

TEST(WorldFaultsTest, SwarmDrawsADifferentMixPerSeed) {
  std::set<std::string> mixes;
  for (std::uint64_t seed = 0; seed < 16; ++seed) {
    auto o = quiet();
    o.seed = seed;
    auto run = lockstep::simulate(
        []() -> Coro<std::string> {
          World world;
          const lockstep::WorldFaults f =
              world.swarm({.crash = 0.2, .partition = 0.2, .loss = 0.1, .clock_step = 0.1});
          co_return std::to_string(f.crash > 0) + std::to_string(f.partition > 0) +
              std::to_string(f.loss > 0) + std::to_string(f.clock_step > 0);
        },
        o);
    ASSERT_TRUE(run.outcome.ok());
    mixes.insert(run.outcome.value());
  }
  EXPECT_GT(mixes.size(), 4u);
}

TEST(WorldFaultsTest, ALivenessFailureSaysWhatDidNotConverge) {
  auto run = lockstep::simulate(
      []() -> Coro<void> {
        World world;
        world.add_node("n1",
                       []() -> Coro<void> { co_await lockstep::sleep(1h); });  // never listens
        co_await world.run_faults({}, 1s);
        co_await world.within(2s, line_pump(1), "a request to n1");
      },
      quiet());
  ASSERT_FALSE(run.outcome.ok());
  // Refused connections retried would also fail; here the connect is refused at once.
  const std::string what = lockstep::describe_exception(run.outcome.exception());
  EXPECT_THAT(what, HasSubstr("ConnectionRefusedError"));
  auto stuck = lockstep::simulate(
      []() -> Coro<void> {
        World world;
        world.add_node("n1", echo_server);
        world.partition({"client"}, {"n1"});  // never healed: the request hangs
        co_await world.within(2s, line_pump(1), "a request to n1");
      },
      quiet());
  ASSERT_FALSE(stuck.outcome.ok());
  EXPECT_THAT(lockstep::describe_exception(stuck.outcome.exception()),
              HasSubstr("LivenessError: lockstep: liveness: a request to n1 did not complete "
                        "within 2s after the faults stopped"));
}

// A "service" whose invariant is that n2 never crashes: a crash of n2 fails it, and the
// shrunk run names the crash in the world's terms.
Coro<void> n2_must_not_crash() {
  World world;
  for (const char* n : {"n1", "n2", "n3"}) world.add_node(n, echo_server);
  co_await world.run_faults({.crash = 0.05, .partition = 0.1, .loss = 0.05}, 5s);
  if (world.node("n2").crashes() > 0) throw std::runtime_error("n2 crashed");
}

TEST(WorldFaultsTest, TheShrunkRunSpeaksInTheWorldsTerms) {
  auto o = quiet();
  std::optional<lockstep::SimulationResult<void>> failing;
  for (std::uint64_t seed = 0; seed < 200 && !failing; ++seed) {
    o.seed = seed;
    auto run = lockstep::simulate(n2_must_not_crash, o);
    if (!run.outcome.ok()) failing = std::move(run);
  }
  ASSERT_TRUE(failing);
  auto small = lockstep::shrink(n2_must_not_crash, failing->decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;  // the crash; its duration is 0
  EXPECT_THAT(small.summary, HasSubstr("crash n2 (t=")) << small.summary;
}

TEST(PartitionShapes, AreTheMinorityCutsOfTheNodes) {
  const auto shapes = lockstep::partition_shapes({"n1", "n2", "n3"}, false);
  ASSERT_EQ(shapes.size(), 3u);
  EXPECT_EQ(lockstep::describe(shapes[0]), "{n1} | {n2,n3}");
  EXPECT_EQ(lockstep::partition_shapes({"a", "b", "c", "d"}, false).size(), 4u + 3u);
  EXPECT_EQ(lockstep::partition_shapes({"n1", "n2", "n3"}, true).size(), 9u);
  const std::string site = lockstep::partition_site_name({"n1", "n2", "n3"}, true);
  EXPECT_EQ(lockstep::describe_partition_choice(site, 4), "{n1} -> {n2,n3}");
  EXPECT_EQ(lockstep::describe_partition_choice(site, 0), "");
  EXPECT_EQ(lockstep::describe_partition_choice(site, 99), "");
}

}  // namespace
