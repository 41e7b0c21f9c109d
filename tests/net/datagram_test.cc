// UDP endpoints: the same bodies over real loopback sockets and under simulation.
#include "loop/net/datagram.h"

#include <cerrno>

#include "tests/net/net_test.h"

using namespace std::chrono_literals;
using lockstep::Address;
using lockstep::Coro;

namespace {
// Named options, not a braced temporary inside co_await: g++ 12 destroys such
// temporaries twice (see loop/net/datagram.h).
lockstep::DatagramEndpointOptions bound_to(const std::string& host) {
  lockstep::DatagramEndpointOptions o;
  o.local = Address::parse(host + ":0");
  return o;
}
lockstep::DatagramEndpointOptions connected_to(const Address& peer) {
  lockstep::DatagramEndpointOptions o;
  o.remote = peer;
  return o;
}
// A named coroutine, not an immediately invoked lambda: the lambda object (and so its
// captures) would be gone before the coroutine runs.
Coro<void> receive_all(lockstep::DatagramEndpoint endpoint, int count, int& received) {
  while (received < count) {
    lockstep::Datagram d = co_await endpoint.recvfrom();
    EXPECT_EQ(d.data.size(), 512u);
    ++received;
  }
}
}  // namespace

LOCKSTEP_NET_TEST(Datagrams, PingPongWithAddresses) {
  auto server = co_await lockstep::open_datagram_endpoint(bound_to(env.host));
  const Address server_at = *server.sockname();
  EXPECT_NE(server_at.port, 0);
  auto client = co_await lockstep::open_datagram_endpoint(connected_to(server_at));
  EXPECT_EQ(client.peername(), server_at);
  co_await client.sendto("ping");
  lockstep::Datagram got = co_await server.recvfrom();
  EXPECT_EQ(got.data, "ping");
  EXPECT_EQ(got.from, *client.sockname());
  co_await server.sendto("pong", got.from);
  EXPECT_EQ((co_await client.recvfrom()).data, "pong");
  EXPECT_THROW(co_await client.sendto("x", Address::parse(env.host + ":9")), std::invalid_argument)
      << "a connected endpoint sends only to its peer";
  client.close();
  server.close();
}

LOCKSTEP_NET_TEST(Datagrams, ManyDatagramsAllArriveWhenTheReaderKeepsUp) {
  auto server = co_await lockstep::open_datagram_endpoint(bound_to(env.host));
  auto client = co_await lockstep::open_datagram_endpoint(connected_to(*server.sockname()));
  constexpr int kCount = 200;
  int received = 0;
  auto reader = lockstep::create_task(receive_all(server, kCount, received));
  for (int i = 0; i < kCount; ++i) {
    co_await client.sendto(std::string(512, char('a' + i % 26)));
    // Windows of 16: a real kernel drops datagrams when its receive buffer is full.
    if (i % 16 == 15)
      while (received <= i) co_await lockstep::sleep(0s);
  }
  try {
    co_await lockstep::wait_for(reader, 10s);
  } catch (const lockstep::TimeoutError&) {
    ADD_FAILURE() << "received " << received << " of " << kCount << ", dropped "
                  << server.dropped();
  }
  EXPECT_EQ(received, kCount);
  EXPECT_EQ(server.dropped(), 0u);
}

LOCKSTEP_NET_TEST(Datagrams, CancelledReceiveLosesNothing) {
  auto server = co_await lockstep::open_datagram_endpoint(bound_to(env.host));
  auto client = co_await lockstep::open_datagram_endpoint(connected_to(*server.sockname()));
  auto pending = lockstep::create_task(server.recvfrom());
  co_await lockstep::sleep(0s);
  pending.cancel();
  EXPECT_THROW(co_await pending, lockstep::CancelledError);
  co_await client.sendto("kept");
  EXPECT_EQ((co_await server.recvfrom()).data, "kept");
}

LOCKSTEP_NET_TEST(Datagrams, SendingToAClosedPortIsReportedToTheConnectedSender) {
  auto gone = co_await lockstep::open_datagram_endpoint(bound_to(env.host));
  const Address where = *gone.sockname();
  gone.close();
  co_await lockstep::sleep(0s);
  auto client = co_await lockstep::open_datagram_endpoint(connected_to(where));
  co_await client.sendto("anyone?");
  try {
    co_await lockstep::wait_for(client.recvfrom(), 5s);
    ADD_FAILURE() << "received from a closed port";
  } catch (const lockstep::ConnectionRefusedError& e) {
    EXPECT_EQ(e.errno_value(), ECONNREFUSED);
  }
  client.close();
}
