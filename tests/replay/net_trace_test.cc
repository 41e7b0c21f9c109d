// The simulated network in traces: its latencies are decisions named by their links, its
// sends and arrivals are events that `lockstep show` prints and the Chrome export draws as
// arrows from sender to receiver, and a recorded run replays exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "loop/lockstep.h"
#include "replay/chrome_export.h"
#include "replay/replay_trace.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"
#include "tests/sim/net_testing.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using testing::dial;
using testing::Echo;
using ::testing::HasSubstr;
using testing::serve;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Wakes a waiting task when data arrives.
struct Waker : Protocol {
  Event arrived;
  std::string received;
  void data_received(std::string_view d) override {
    received += d;
    arrived.set();
  }
};

Coro<std::string> ping() {
  auto listener = co_await serve<Echo>(Address::parse("server:7000"));
  auto client = std::make_shared<Waker>();
  auto t = co_await dial("server:7000", client);
  for (int i = 0; i < 5; ++i) {
    client->arrived.clear();
    t->write("ping");
    co_await client->arrived.wait();
  }
  t->close();
  co_await sleep(5ms);  // the FINs go both ways
  co_return client->received;
}

SimulationOptions options(std::uint64_t seed) {
  SimulationOptions o;
  o.seed = seed;
  o.strategy.net_delay_percent = 50;
  o.strategy.net_latency = 70us;
  return o;
}

TEST(NetTrace, SendsAndArrivalsAreEventsAndLatenciesAreNamedDecisions) {
  const std::string path = temp_path("net.trace");
  auto run = record_trace(ping, options(3), path, "ping");
  ASSERT_TRUE(run.outcome.ok());
  Trace t = read_trace(path);
  EXPECT_EQ(t.info.strategy.net_latency, 70us);
  EXPECT_EQ(t.info.strategy.net_delay_percent, 50u);
  std::string shown;
  for (const TimelineEntry& e : timeline(t)) shown += e.who + "  " + e.what + "\n";
  EXPECT_THAT(shown, HasSubstr("task 1 'main'  sent #1 client:49152 -> server:7000 SYN"));
  EXPECT_THAT(shown, HasSubstr("loop  received #1 client:49152 -> server:7000 SYN"));
  EXPECT_THAT(shown, HasSubstr("loop  received #2 server:7000 -> client:49152 SYN-ACK"));
  EXPECT_THAT(shown, HasSubstr("loop  sent #3 client:49152 -> server:7000 ACK"));
  EXPECT_THAT(shown, HasSubstr("sent #4 client:49152 -> server:7000 4 bytes"));
  EXPECT_THAT(shown, HasSubstr("net_delay site=client:49152 -> server:7000 bound=1000000"));
  EXPECT_THAT(shown, HasSubstr("FIN"));
  std::size_t sends = 0, arrivals = 0;
  for (const TraceEvent& e : t.events) {
    sends += e.kind == LoopEvent::Kind::kNetSend;
    arrivals += e.kind == LoopEvent::Kind::kNetReceive;
  }
  EXPECT_EQ(sends, arrivals);  // nothing is lost on a perfect network
  EXPECT_GE(sends, 15u);       // SYN, SYN-ACK, ACK, 5 pings, 5 echoes, 2 FINs
}

TEST(NetTrace, TheChromeExportDrawsMessagesFromSenderToReceiver) {
  const std::string path = temp_path("net-chrome.trace");
  record_trace(ping, options(5), path, "ping");
  std::ostringstream json;
  export_chrome(read_trace(path), json);
  const std::string out = json.str();
  EXPECT_THAT(out, HasSubstr("\"name\":\"message\",\"cat\":\"flow\""));
  EXPECT_THAT(out, HasSubstr("\"cat\":\"net\""));
  // The echo of a ping wakes main: an arrow ends on main's row (tid 1).
  EXPECT_THAT(out, HasSubstr("{\"ph\":\"f\""));
  bool to_main = false;
  for (std::size_t at = out.find("\"ph\":\"f\""); at != std::string::npos;
       at = out.find("\"ph\":\"f\"", at + 1)) {
    const std::string rest = out.substr(at, 120);
    to_main = to_main || (rest.find("\"tid\":1,") != std::string::npos &&
                          rest.find("message") != std::string::npos);
  }
  EXPECT_TRUE(to_main) << out;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(NetTrace, TheSameSeedWritesTheSameTrace) {
  const std::string a = temp_path("net-a.trace"), b = temp_path("net-b.trace");
  record_trace(ping, options(8), a, "ping");
  record_trace(ping, options(8), b, "ping");
  const std::string first = bytes_of(a);
  EXPECT_GT(first.size(), 500u);
  EXPECT_EQ(first, bytes_of(b));
}

TEST(NetTrace, ARecordedRunReplaysExactly) {
  const std::string path = temp_path("net-replay.trace");
  auto run = record_trace(ping, options(11), path, "ping");
  auto again = replay_trace(ping, path, "ping");
  EXPECT_FALSE(again.divergence.has_value());
  EXPECT_TRUE(again.replay_complete);
  EXPECT_EQ(again.outcome.value(), run.outcome.value());
  EXPECT_EQ(again.end_time, run.end_time);
  EXPECT_EQ(again.decisions.to_vector(), run.decisions.to_vector());
}

}  // namespace
}  // namespace lockstep
