// Per-link latency distributions (SimNetwork::set_link_latency, sim/latency.h): each
// message's latency on a configured link is drawn from its shape as a decision, replays,
// and shrinks toward the link's minimum.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/latency.h"
#include "sim/net/sim_network.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "tests/sim/net_testing.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::DatagramRecorder;
using ::testing::HasSubstr;
using testing::until;

SimNetwork& sim_network() { return dynamic_cast<SimNetwork&>(network()); }

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// --- The shapes -----------------------------------------------------------------------

TEST(Latency, EveryShapeStartsAtMinAndStaysWithinItsRange) {
  const Latency shapes[] = {Latency::uniform(1ms, 9ms), Latency::log_uniform(1ms, 9ms),
                            Latency::heavy_tailed(1ms, 9ms), Latency::fixed(3ms)};
  for (const Latency& l : shapes) {
    EXPECT_EQ(l.at(0), l.min()) << l.describe();
    Duration last{};
    for (std::uint64_t step = 0; step <= Latency::kSteps; step += Latency::kSteps / 64) {
      const Duration d = l.at(step);
      EXPECT_GE(d, l.min()) << l.describe();
      EXPECT_LE(d, l.max()) << l.describe();
      EXPECT_GE(d, last) << l.describe() << ": not monotonic at step " << step;
      last = d;
    }
    EXPECT_EQ(l.at(Latency::kSteps * 7), l.at(Latency::kSteps));  // past the end: the end
  }
  EXPECT_EQ(Latency::uniform(1ms, 9ms).at(Latency::kSteps), 9ms);
  EXPECT_EQ(Latency::log_uniform(1ms, 9ms).at(Latency::kSteps), 9ms);
}

TEST(Latency, MediansAreThoseOfTheShapes) {
  const std::uint64_t half = Latency::kSteps / 2;
  EXPECT_NEAR(ms(Latency::uniform(1ms, 101ms).at(half)), 51, 0.01);
  EXPECT_NEAR(ms(Latency::log_uniform(1ms, 100ms).at(half)), 10, 0.01);  // sqrt(1 * 100)
  // Pareto: median = min * 2^(1/alpha).
  EXPECT_NEAR(ms(Latency::heavy_tailed(1ms, 1s, 1.5).at(half)), std::pow(2.0, 1 / 1.5), 0.01);
  EXPECT_NEAR(ms(Latency::heavy_tailed(1ms, 1s, 0.5).at(half)), 4, 0.01);
}

TEST(Latency, BadRangesAreNamed) {
  try {
    (void)Latency::log_uniform(0ms, 1ms);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("lockstep: Latency::log_uniform(min, max) needs 0 < min"));
  }
  EXPECT_THROW((void)Latency::uniform(2ms, 1ms), std::invalid_argument);
  EXPECT_THROW((void)Latency::heavy_tailed(1ms, 2ms, 0), std::invalid_argument);
  EXPECT_THROW((void)Latency::fixed(-1ns), std::invalid_argument);
  EXPECT_NO_THROW((void)Latency::uniform(0ms, 1ms));
  EXPECT_EQ(Latency::heavy_tailed(100us, 50ms).describe(), "heavy-tailed 100us..50ms (alpha 1.5)");
  EXPECT_EQ(Latency::log_uniform(100us, 1500us).describe(), "log-uniform 100us..1.5ms");
}

// --- On the simulated network ---------------------------------------------------------

// `client` sends `n` datagrams to dns:53, one every 20ms, and dns echoes them; returns
// each one-way trip time, there and back.
struct Trips {
  std::vector<Duration> there, back;
};
Coro<Trips> ping(int n) {
  Trips trips;
  struct Timed : DatagramRecorder {
    std::vector<TimePoint> when;
    void datagram_received(std::string_view data, const Address& from) override {
      when.push_back(Loop::current()->time());
      DatagramRecorder::datagram_received(data, from);
    }
  };
  auto server = std::make_shared<Timed>();
  server->echo = true;
  DatagramOptions so;
  so.local = at("dns:53");
  auto st = co_await network().open_datagram(server, so);
  auto client = std::make_shared<Timed>();
  DatagramOptions co;
  co.local = at("client:0");
  auto ct = co_await network().open_datagram(client, co);
  for (int i = 0; i < n; ++i) {
    const TimePoint sent = Loop::current()->time();
    ct->sendto("q" + std::to_string(i), at("dns:53"));
    co_await until([&] { return client->got.size() == static_cast<std::size_t>(i + 1); });
    trips.there.push_back(server->when.back() - sent);
    trips.back.push_back(client->when.back() - server->when.back());
    co_await sleep(20ms);
  }
  ct->close();
  st->close();
  co_return trips;
}

SimulationOptions no_step_costs(std::uint64_t seed = 1) {
  SimulationOptions o;
  o.seed = seed;
  o.strategy.step_cost_percent = 0;  // arrival times are the network's alone
  return o;
}

TEST(SimNetworkLinkLatency, AConfiguredLinkDrawsEachMessageFromItsShape) {
  auto r = simulate(
      []() -> Coro<Trips> {
        sim_network().set_link_latency("client", "dns", Latency::uniform(5ms, 10ms));
        co_return co_await ping(40);
      },
      no_step_costs());
  ASSERT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  const Trips& t = r.outcome.value();
  std::set<Duration> distinct;
  for (Duration d : t.there) {
    EXPECT_GE(d, 5ms);
    EXPECT_LE(d, 10ms);
    distinct.insert(d);
  }
  EXPECT_GT(distinct.size(), 30u);  // a draw per message
  // The other direction keeps the strategy's latency: 50us, plus at most 1ms extra.
  for (Duration d : t.back) EXPECT_LE(d, 1050us);
  std::size_t on_link = 0;
  for (const Decision& d : r.decisions)
    if (d.kind == DecisionKind::kNetDelay && d.bound == 5'000'000u) ++on_link;
  EXPECT_EQ(on_link, 40u);
}

TEST(SimNetworkLinkLatency, TheMostSpecificSettingWins) {
  auto r = simulate(
      []() -> Coro<Trips> {
        sim_network().set_link_latency("*", "*", Latency::log_uniform(1ms, 2ms));
        sim_network().set_link_latency("client", "dns", Latency::fixed(7ms));
        co_return co_await ping(10);
      },
      no_step_costs());
  ASSERT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  for (Duration d : r.outcome.value().there) EXPECT_EQ(d, 7ms);
  for (Duration d : r.outcome.value().back) {
    EXPECT_GE(d, 1ms);
    EXPECT_LE(d, 2ms);
  }
}

TEST(SimNetworkLinkLatency, FifoTakesTheMinimumAndDecidesNothing) {
  SimulationOptions o = no_step_costs();
  o.strategy.kind = Strategy::kFifo;
  auto r = simulate(
      []() -> Coro<Trips> {
        sim_network().set_link_latency("client", "dns", Latency::heavy_tailed(3ms, 1s));
        co_return co_await ping(5);
      },
      o);
  ASSERT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  for (Duration d : r.outcome.value().there) EXPECT_EQ(d, 3ms);
  for (const Decision& d : r.decisions) EXPECT_NE(d.kind, DecisionKind::kNetDelay);
}

TEST(SimNetworkLinkLatency, BadHostsAreNamed) {
  auto r = simulate([]() -> Coro<void> {
    sim_network().set_link_latency("", "dns", Latency::fixed(1ms));
    co_return;
  });
  ASSERT_FALSE(r.outcome.ok());
  EXPECT_THAT(describe_exception(r.outcome.exception()),
              HasSubstr("set_link_latency needs two host names"));
}

// Fails if any reply takes over 100ms: only the heavy tail of client -> dns gets there.
Coro<void> impatient() {
  sim_network().set_link_latency("client", "dns", Latency::heavy_tailed(1ms, 500ms, 1.0));
  const Trips t = co_await ping(30);
  for (Duration d : t.there)
    if (d > 100ms) throw std::runtime_error("a request took over 100ms");
}

TEST(SimNetworkLinkLatency, ReplaysAndShrinksToTheOneSlowMessage) {
  SimulationOptions o = no_step_costs();
  std::optional<SimulationResult<void>> failing;
  for (std::uint64_t seed = 0; seed < 100 && !failing; ++seed) {
    o.seed = seed;
    auto r = simulate(impatient, o);
    if (!r.outcome.ok()) failing = std::move(r);
  }
  ASSERT_TRUE(failing) << "no seed drew a message over 100ms";
  auto again = replay(impatient, failing->decisions, o);
  EXPECT_FALSE(again.divergence.has_value());
  EXPECT_FALSE(again.outcome.ok());
  auto small = shrink(impatient, failing->decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;
  EXPECT_THAT(small.summary, HasSubstr("client:49152 -> dns:53")) << small.summary;
  // What is left is one message over 100ms, halved while it still failed: shrinking moved
  // it toward the link's minimum.
  std::optional<Decision> slow;
  for (const Decision& d : small.run.decisions)
    if (d.kind == DecisionKind::kNetDelay && d.value != 0) slow = d;
  ASSERT_TRUE(slow);
  EXPECT_GT(Duration(slow->value) + 1ms, 100ms);
  EXPECT_LT(Duration(slow->value) + 1ms, 200ms) << small.summary;
}

}  // namespace
}  // namespace lockstep
