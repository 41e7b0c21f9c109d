// The simulated network: what a Protocol sees (connect, accept, bytes in order, the
// window and flow control, EOF, close, abort, refusals, ports), datagrams, and that every
// choice it makes is a decision that replays and shrinks.
#include "sim/net/sim_network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "tests/sim/net_testing.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::DatagramRecorder;
using testing::dial;
using testing::Echo;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Recorder;
using testing::serve;
using testing::until;

// Runs `body` under simulate() with `seed` and the faithful strategy (latencies decided
// for 10% of messages unless `always_late`), failing the test if it raises.
template <class F>
SimulationResult<void> sim_run(F body, std::uint64_t seed = 1, bool always_late = false) {
  SimulationOptions o;
  o.seed = seed;
  if (always_late) o.strategy.net_delay_percent = 100;
  auto r = simulate(body, o);
  EXPECT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  return r;
}

DatagramOptions bound_at(const char* where) {
  DatagramOptions o;
  o.local = at(where);
  return o;
}
DatagramOptions connected_to(const char* where) {
  DatagramOptions o;
  o.remote = at(where);
  return o;
}

std::string pattern(std::size_t n, std::size_t salt = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return s;
}

TEST(SimNetwork, EverySimulatedLoopHasOne) {
  sim_run([]() -> Coro<void> {
    EXPECT_STREQ(network().name(), "simulated");
    co_return;
  });
  // A plain virtual-time loop has none.
  Loop loop;
  EXPECT_THROW(network_of(loop), RuntimeError);
}

TEST(SimNetwork, ConnectAcceptAndEchoThroughRawProtocols) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto listener = co_await serve<Recorder>(at("server:7000"), &accepted);
    auto client = std::make_shared<Recorder>();
    const TimePoint start = now();
    auto t = co_await dial("server:7000", client);
    EXPECT_GE(now() - start, 100us);  // a round trip: SYN, SYN-ACK
    EXPECT_EQ(client->log, std::vector<std::string>{"made"});
    EXPECT_EQ(t->sockname()->to_string(), "client:49152");
    EXPECT_EQ(t->peername()->to_string(), "server:7000");
    EXPECT_EQ(t->fileno(), -1);
    // The server accepts when the handshake's ACK arrives, after connect() returned.
    EXPECT_TRUE(accepted.empty());
    co_await until([&] { return accepted.size() == 1; }, "the accept");
    auto server = accepted[0];
    EXPECT_EQ(server->transport->peername()->to_string(), "client:49152");
    EXPECT_EQ(server->transport->sockname()->to_string(), "server:7000");
    t->write("hello");
    co_await until([&] { return server->received == "hello"; }, "the server's bytes");
    server->transport->write("world");
    co_await until([&] { return client->received == "world"; }, "the client's bytes");
    t->close();
    co_await until([&] { return server->lost && client->lost; }, "both ends closed");
    EXPECT_THAT(client->log, ElementsAre("made", "data", "lost"));
    EXPECT_THAT(server->log, ElementsAre("made", "data", "eof", "lost"));
    listener->close();
  });
}

TEST(SimNetwork, LoopbackNamesWorkAsNames) {
  sim_run([]() -> Coro<void> {
    auto listener = co_await serve<Echo>(at("127.0.0.1:0"));
    const Address where = listener->addresses().at(0);
    EXPECT_EQ(where.to_string(), "127.0.0.1:49152");
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial(where, client);
    EXPECT_EQ(t->sockname()->host, "127.0.0.1");  // loopback talks from loopback
    t->write("ping");
    co_await until([&] { return client->received == "ping"; });
    t->close();
    co_await until([&] { return client->lost; });
  });
}

TEST(SimNetwork, ConnectingWhereNobodyListensIsRefusedAfterARoundTrip) {
  sim_run([]() -> Coro<void> {
    const TimePoint start = now();
    try {
      co_await dial("server:7000", std::make_shared<Recorder>());
      ADD_FAILURE() << "connected";
    } catch (const ConnectionRefusedError& e) {
      EXPECT_EQ(e.errno_value(), ECONNREFUSED);
      EXPECT_THAT(e.what(), HasSubstr("server:7000"));
    }
    EXPECT_GE(now() - start, 100us);
    // A closed listener refuses too.
    auto listener = co_await serve<Echo>(at("server:7000"));
    listener->close();
    EXPECT_TRUE(listener->addresses().empty());
    EXPECT_THROW(co_await dial("server:7000", std::make_shared<Recorder>()),
                 ConnectionRefusedError);
  });
}

TEST(SimNetwork, ATakenPortIsAddressInUse) {
  sim_run([]() -> Coro<void> {
    auto first = co_await serve<Echo>(at("server:7000"));
    try {
      co_await serve<Echo>(at("server:7000"));
      ADD_FAILURE() << "bound twice";
    } catch (const OSError& e) {
      EXPECT_EQ(e.errno_value(), EADDRINUSE);
    }
    // Another name, the same port: free. The wildcard takes the port on every name.
    auto other = co_await serve<Echo>(at("db:7000"));
    const Address wildcard{AddressFamily::kIPv4, "0.0.0.0", 7000};
    EXPECT_THROW(co_await serve<Echo>(wildcard), OSError);
    first->close();
    auto again = co_await serve<Echo>(at("server:7000"));
    EXPECT_FALSE(again->is_closed());
  });
}

TEST(SimNetwork, PortZeroPicksFreePortsDeterministically) {
  sim_run([]() -> Coro<void> {
    auto a = co_await serve<Echo>(at("server:0"));
    auto b = co_await serve<Echo>(at("server:0"));
    EXPECT_EQ(a->addresses().at(0).port, 49152);
    EXPECT_EQ(b->addresses().at(0).port, 49153);
    auto c = std::make_shared<Recorder>();
    auto t = co_await dial(a->addresses().at(0), c);
    EXPECT_EQ(t->sockname()->port, 49154);  // ephemeral ports share the counter
    t->abort();
    co_await until([&] { return c->lost; });
  });
}

TEST(SimNetwork, AWildcardListenerAcceptsEveryName) {
  sim_run([]() -> Coro<void> {
    const Address wildcard{AddressFamily::kIPv4, "0.0.0.0", 8000};
    auto listener = co_await serve<Echo>(wildcard);
    for (const char* host : {"server:8000", "10.0.0.1:8000"}) {
      auto c = std::make_shared<Recorder>();
      auto t = co_await dial(host, c);
      t->write("x");
      co_await until([&] { return c->received == "x"; });
      t->close();
    }
  });
}

TEST(SimNetwork, BytesArriveInOrderWhateverTheLatencies) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    sim_run(
        []() -> Coro<void> {
          std::vector<std::shared_ptr<Recorder>> accepted;
          auto listener = co_await serve<Recorder>(at("server:7000"), &accepted);
          auto t = co_await dial("server:7000", std::make_shared<Recorder>());
          std::string sent;
          for (int i = 0; i < 200; ++i) {
            const std::string piece = std::to_string(i) + ",";
            t->write(piece);
            sent += piece;
            if (i % 7 == 0) co_await sleep(std::chrono::microseconds(i));
          }
          co_await until([&] { return accepted.at(0)->received.size() == sent.size(); });
          EXPECT_EQ(accepted.at(0)->received, sent);
          EXPECT_GT(accepted.at(0)->chunks.size(), 1u);  // chunks, not one delivery
          t->close();
        },
        seed, /*always_late=*/true);
  }
}

TEST(SimNetwork, AReaderThatDoesNotReadPausesTheWriter) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await network().listen(at("server:7000"),
                                       [&accepted] {
                                         auto p = std::make_shared<Recorder>();
                                         p->pause_on_connect = true;
                                         accepted.push_back(p);
                                         return p;
                                       },
                                       {});
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", client);
    const std::string data = pattern(1 << 20);
    t->write(data);  // the window (256 KiB) goes out; the rest waits in the buffer
    EXPECT_TRUE(client->paused);
    EXPECT_EQ(t->write_buffer_size(), data.size() - SimNetworkOptions{}.window);
    co_await sleep(10ms);
    EXPECT_TRUE(client->paused);  // nobody reads: nothing moves
    EXPECT_EQ(accepted.at(0)->received, "");
    accepted.at(0)->transport->resume_reading();
    co_await until([&] { return !client->paused; }, "resume_writing");
    co_await until([&] { return accepted.at(0)->received.size() == data.size(); });
    EXPECT_EQ(accepted.at(0)->received, data);
    EXPECT_EQ(t->write_buffer_size(), 0u);
    EXPECT_THAT(client->log, ElementsAre("made", "pause", "resume"));
    t->close();
  });
}

TEST(SimNetwork, HalfCloseKeepsTheOtherDirectionOpen) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await network().listen(at("server:7000"),
                                       [&accepted] {
                                         auto p = std::make_shared<Recorder>();
                                         p->keep_open_on_eof = true;
                                         accepted.push_back(p);
                                         return p;
                                       },
                                       {});
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", client);
    t->write("request");
    t->write_eof();
    EXPECT_THROW(t->write("more"), RuntimeError);
    co_await until([&] { return !accepted.empty() && accepted[0]->eof; }, "the server's EOF");
    auto server = accepted[0];
    EXPECT_EQ(server->received, "request");
    EXPECT_FALSE(server->lost);
    server->transport->write("response");
    server->transport->close();
    co_await until([&] { return client->lost && server->lost; });
    EXPECT_EQ(client->received, "response");
    EXPECT_THAT(client->log, ElementsAre("made", "data", "eof", "lost"));
    EXPECT_THAT(server->log, ElementsAre("made", "data", "eof", "lost"));
    EXPECT_EQ(client->error, nullptr);
  });
}

TEST(SimNetwork, AbortResetsThePeer) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await serve<Recorder>(at("server:7000"), &accepted);
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", client);
    t->write(pattern(1000));
    t->abort();
    EXPECT_TRUE(t->is_closing());
    co_await until([&] { return accepted.size() == 1 && accepted[0]->lost; }, "the reset");
    auto server = accepted[0];
    EXPECT_NE(server->error, nullptr);
    if (!server->error) co_return;
    try {
      std::rethrow_exception(server->error);
    } catch (const ConnectionResetError& e) {
      EXPECT_EQ(e.errno_value(), ECONNRESET);
    } catch (...) {
      ADD_FAILURE() << describe_exception(server->error);
    }
    EXPECT_EQ(client->log, (std::vector<std::string>{"made", "lost"}));
    // Writes after the loss are dropped.
    server->transport = nullptr;
    t->write("dropped");
  });
}

TEST(SimNetwork, CloseFlushesTheBufferFirst) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await serve<Recorder>(at("server:7000"), &accepted);
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", client);
    const std::string data = pattern(3 << 20, 5);  // many windows' worth
    t->write(data);
    t->close();
    EXPECT_GT(t->write_buffer_size(), 0u);
    co_await sleep(1us);
    EXPECT_FALSE(client->lost);  // not before the buffer is out
    co_await until([&] { return client->lost && accepted[0]->lost; });
    EXPECT_EQ(accepted[0]->received, data);
    EXPECT_THAT(accepted[0]->log, ElementsAre("made", "data", "eof", "lost"));
    EXPECT_EQ(client->error, nullptr);
  });
}

TEST(SimNetwork, ClosingWithUnreadDataResetsThePeer) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await network().listen(at("server:7000"),
                                       [&accepted] {
                                         auto p = std::make_shared<Recorder>();
                                         p->pause_on_connect =
                                             true;  // never reads what the client sends
                                         accepted.push_back(p);
                                         return p;
                                       },
                                       {});
    auto client = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", client);
    t->write("unread");
    co_await sleep(1ms);
    accepted.at(0)->transport->close();  // as Linux: close() with unread data sends RST
    co_await until([&] { return client->lost; });
    EXPECT_THAT(client->log.back(), HasSubstr("ConnectionResetError"));
  });
}

TEST(SimNetwork, ManyConcurrentConnections) {
  sim_run(
      []() -> Coro<void> {
        auto l = co_await serve<Echo>(at("server:7000"));
        std::vector<Task<void>> clients;
        for (int i = 0; i < 200; ++i) {
          clients.push_back(create_task(
              [](int i) -> Coro<void> {
                auto r = std::make_shared<Recorder>();
                auto t = co_await dial("server:7000", r);
                const std::string msg = "client " + std::to_string(i) + pattern(100 + i, i);
                t->write(msg);
                co_await until([&] { return r->received.size() >= msg.size(); });
                EXPECT_EQ(r->received, msg);
                t->close();
                co_await until([&] { return r->lost; });
              }(i),
              "client-" + std::to_string(i)));
        }
        co_await gather(clients);
      },
      3, true);
}

TEST(SimNetwork, UnixPathsAreNamesToo) {
  sim_run([]() -> Coro<void> {
    const Address path{AddressFamily::kUnix, "/run/app.sock", 0};
    auto l = co_await serve<Echo>(path);
    EXPECT_THROW(co_await serve<Echo>(path), OSError);
    auto r = std::make_shared<Recorder>();
    auto t = co_await dial(path, r);
    EXPECT_EQ(t->peername()->host, "/run/app.sock");
    t->write("over unix");
    co_await until([&] { return r->received == "over unix"; });
    t->close();
  });
}

TEST(SimNetwork, CancellingAConnectLeavesNothingBehind) {
  sim_run([]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await serve<Recorder>(at("server:7000"), &accepted);
    auto connecting = create_task(
        []() -> Coro<void> { co_await dial("server:7000", std::make_shared<Recorder>()); }(),
        "connect");
    co_await sleep(0s);  // it starts: the SYN leaves
    connecting.cancel();
    EXPECT_THROW(co_await connecting, CancelledError);
    // The SYN-ACK meets a closed socket, whose reset ends the handshake: as in Linux's
    // SYN queue, the server never accepts that connection.
    co_await sleep(5ms);
    EXPECT_TRUE(accepted.empty());
    auto r = std::make_shared<Recorder>();
    auto t = co_await dial("server:7000", r);  // the next one gets through
    co_await until([&] { return accepted.size() == 1; });
  });
}

TEST(SimNetwork, DatagramsArriveWithTheirAddresses) {
  sim_run(
      []() -> Coro<void> {
        auto server = std::make_shared<DatagramRecorder>();
        server->echo = true;
        auto st = co_await network().open_datagram(server, bound_at("dns:53"));
        EXPECT_EQ(st->sockname()->to_string(), "dns:53");
        auto client = std::make_shared<DatagramRecorder>();
        auto ct = co_await network().open_datagram(client, bound_at("client:0"));
        std::set<std::string> sent;
        for (int i = 0; i < 50; ++i) {
          sent.insert("q" + std::to_string(i));
          ct->sendto("q" + std::to_string(i), at("dns:53"));
        }
        EXPECT_EQ(ct->write_buffer_size(), 0u);
        co_await until([&] { return client->got.size() == sent.size(); });
        std::set<std::string> got;
        for (auto& [data, from] : client->got) {
          got.insert(data);
          EXPECT_EQ(from.to_string(), "dns:53");
        }
        EXPECT_EQ(got, sent);
        for (auto& [data, from] : server->got) EXPECT_EQ(from, *ct->sockname());
        EXPECT_THROW(ct->sendto("x"), std::invalid_argument);  // not connected
        ct->close();
        st->close();
        co_await until([&] { return client->lost && server->lost; });
      },
      2, true);
}

TEST(SimNetwork, AConnectedDatagramEndpointHearsOfAClosedPort) {
  sim_run([]() -> Coro<void> {
    auto client = std::make_shared<DatagramRecorder>();
    auto t = co_await network().open_datagram(client, connected_to("dns:53"));
    EXPECT_EQ(t->peername()->to_string(), "dns:53");
    EXPECT_THROW(t->sendto("x", at("other:53")), std::invalid_argument);
    t->sendto("anyone?");
    co_await until([&] { return !client->errors.empty(); });
    try {
      std::rethrow_exception(client->errors[0]);
    } catch (const ConnectionRefusedError& e) {
      EXPECT_EQ(e.errno_value(), ECONNREFUSED);
    }
    EXPECT_FALSE(client->lost);  // the endpoint stays open
    t->close();
  });
}

// --- Decisions: recorded, replayed, shrunk ---------------------------------------------

Coro<void> chatty() {
  auto l = co_await serve<Echo>(at("server:7000"));
  std::vector<Task<void>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(create_task([](int i) -> Coro<void> {
      auto r = std::make_shared<Recorder>();
      auto t = co_await dial("server:7000", r);
      for (int k = 0; k < 10; ++k) t->write(std::to_string(k));
      co_await until([&] { return r->received.size() >= 10; });
      t->close();
    }(i)));
  }
  co_await gather(clients);
}

TEST(SimNetwork, EveryLatencyIsADecisionNamedByItsLink) {
  SimulationOptions o;
  o.seed = 4;
  o.strategy.net_delay_percent = 50;
  auto r = simulate(chatty, o);
  ASSERT_TRUE(r.outcome.ok()) << describe_exception(r.outcome.exception());
  std::size_t delays = 0, late = 0;
  std::set<std::string> links;
  for (const Decision& d : r.decisions) {
    if (d.kind != DecisionKind::kNetDelay) continue;
    ++delays;
    late += d.value != 0;
    EXPECT_EQ(d.bound, 1'000'000u);  // max_net_delay: 1ms
    links.insert(site_text(d.site, r.site_names));
  }
  EXPECT_GT(delays, 100u);
  EXPECT_GT(late, 0u);
  EXPECT_TRUE(links.count("client:49153 -> server:7000")) << ::testing::PrintToString(links);
  EXPECT_TRUE(links.count("server:7000 -> client:49153"));
  // The five SYNs arrive together: their order is a decision, as for other completions.
  EXPECT_TRUE(std::any_of(r.decisions.begin(), r.decisions.end(), [](const Decision& d) {
    return d.kind == DecisionKind::kCompletionOrder && d.bound == 5;
  }));
  // fifo decides no latency: a perfect network of fixed latency.
  o.strategy.kind = Strategy::kFifo;
  auto plain = simulate(chatty, o);
  for (const Decision& d : plain.decisions) EXPECT_NE(d.kind, DecisionKind::kNetDelay);
}

TEST(SimNetwork, TheSameSeedGivesTheSameRunAndReplayReproducesIt) {
  SimulationOptions o;
  o.strategy.net_delay_percent = 50;
  for (std::uint64_t seed : {0u, 1u, 99u}) {
    o.seed = seed;
    auto a = simulate(chatty, o);
    auto b = simulate(chatty, o);
    ASSERT_TRUE(a.outcome.ok());
    EXPECT_EQ(a.decisions.to_vector(), b.decisions.to_vector());
    EXPECT_EQ(a.end_time, b.end_time);
    auto again = replay(chatty, a.decisions, o);
    EXPECT_FALSE(again.divergence.has_value());
    EXPECT_TRUE(again.replay_complete);
    EXPECT_EQ(again.end_time, a.end_time);
    EXPECT_EQ(again.steps, a.steps);
    const DeterminismReport check = check_determinism(chatty, o);
    EXPECT_TRUE(check.deterministic) << check.report;
  }
}

// Two clients send to one server; it fails if the second one's message overtakes the
// first's, which takes a late message (or a slow step) on the first one's link.
Coro<void> overtaking() {
  std::string order;
  struct Appender : Protocol {
    std::string* order;
    void data_received(std::string_view d) override { *order += d; }
  };
  auto l = co_await network().listen(at("server:7000"),
                                     [&order] {
                                       auto p = std::make_shared<Appender>();
                                       p->order = &order;
                                       return p;
                                     },
                                     {});
  auto a = co_await dial("server:7000", std::make_shared<Recorder>());
  auto b = co_await dial("server:7000", std::make_shared<Recorder>());
  for (int round = 0; round < 20; ++round) {
    order.clear();
    a->write("a");
    co_await sleep(20us);
    b->write("b");
    co_await until([&] { return order.size() == 2; });
    if (order != "ab") throw std::runtime_error("b overtook a");
  }
}

TEST(SimNetwork, ShrinkingAFailureLeavesOneLateMessage) {
  SimulationOptions o;
  o.strategy.net_delay_percent = 30;
  o.strategy.step_cost_percent = 0;  // only the network can reorder
  std::optional<SimulationResult<void>> failing;
  for (std::uint64_t seed = 0; seed < 200 && !failing; ++seed) {
    o.seed = seed;
    auto r = simulate(overtaking, o);
    if (!r.outcome.ok()) failing = std::move(r);
  }
  ASSERT_TRUE(failing) << "no seed made b overtake a";
  auto small = shrink(overtaking, failing->decisions, o);
  ASSERT_TRUE(small.failed);
  EXPECT_EQ(small.non_default_after, 1u) << small.summary;
  EXPECT_LT(small.non_default_after, small.non_default_before);
  EXPECT_THAT(small.summary, HasSubstr("client:49152 -> server:7000")) << small.summary;
  std::printf("%s", small.summary.c_str());
  auto again = replay(overtaking, small.run.decisions, o);
  EXPECT_FALSE(again.outcome.ok());
}

// The law of a perfect network: whatever the latencies and arrival orders, no byte is
// lost or reordered within a stream, and every datagram arrives.
RC_GTEST_PROP(SimNetworkLaw, APerfectNetworkLosesAndReordersNothing,
              (std::uint64_t seed, std::vector<std::uint16_t> sizes, std::uint8_t datagrams)) {
  const std::size_t nd = datagrams % 20;
  auto program = [&]() -> Coro<void> {
    std::vector<std::shared_ptr<Recorder>> accepted;
    auto l = co_await serve<Recorder>(at("server:7000"), &accepted);
    auto c1 = std::make_shared<Recorder>(), c2 = std::make_shared<Recorder>();
    auto t1 = co_await dial("server:7000", c1);
    auto t2 = co_await dial("server:7000", c2);
    std::string s1, s2;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      const std::string piece = pattern(sizes[i] % 5000 + 1, i);
      (i % 2 ? t1 : t2)->write(piece);
      (i % 2 ? s1 : s2) += piece;
      if (i % 3 == 0) co_await sleep(std::chrono::microseconds(sizes[i] % 100));
    }
    t1->write_eof();
    t2->write_eof();
    auto server = std::make_shared<DatagramRecorder>();
    auto st = co_await network().open_datagram(server, bound_at("dns:53"));
    auto ct = co_await network().open_datagram(std::make_shared<DatagramRecorder>(),
                                               connected_to("dns:53"));
    for (std::size_t i = 0; i < nd; ++i) ct->sendto(std::to_string(i));
    co_await until([&] {
      return accepted.size() == 2 && accepted[0]->eof && accepted[1]->eof &&
             server->got.size() == nd;
    });
    for (const auto& a : accepted) RC_ASSERT(a->received == (a->peer == t1->sockname() ? s1 : s2));
    std::multiset<std::string> got;
    for (auto& g : server->got) got.insert(g.first);
    RC_ASSERT(got.size() == nd);
    for (std::size_t i = 0; i < nd; ++i) RC_ASSERT(got.count(std::to_string(i)) == 1u);
  };
  SimulationOptions o;
  o.seed = seed;
  o.strategy.net_delay_percent = 50;
  auto r = simulate(program, o);
  if (!r.outcome.ok()) std::rethrow_exception(r.outcome.exception());  // RC_ASSERT's, or a bug
}

}  // namespace
}  // namespace lockstep
