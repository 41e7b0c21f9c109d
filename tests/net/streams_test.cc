// Streams over the network: the same bodies on real loopback sockets and (through
// LOCKSTEP_NET_TEST) under simulation. Each names the behaviour it checks.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <string>
#include <vector>

#include "tests/net/net_test.h"

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::Server;
using lockstep::StreamReader;
using lockstep::StreamWriter;

namespace {

// Echoes lines until EOF, then closes.
Coro<void> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
}

}  // namespace

LOCKSTEP_NET_TEST(Streams, EchoesALineAndReportsAddresses) {
  Server server = co_await lockstep::start_server(echo_lines, env.host, 0);
  EXPECT_NE(server.port(), 0) << "port 0 asks for a free port; sockets() tells which";
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  writer.write("hello\n");
  EXPECT_EQ(co_await reader.readline(), "hello\n");
  EXPECT_EQ(writer.get_extra_info("peername")->port, server.port());
  EXPECT_EQ(writer.get_extra_info("peername")->host, env.host);
  EXPECT_EQ(writer.get_extra_info("sockname")->host, env.host);
  EXPECT_FALSE(writer.get_extra_info("cipher").has_value());
  writer.write_eof();
  EXPECT_EQ(co_await reader.read(), "") << "the server closes after our EOF";
  EXPECT_TRUE(reader.at_eof());
  writer.close();
  co_await writer.wait_closed();
  server.close();
  co_await server.wait_closed();
  EXPECT_TRUE(env.errors.empty()) << env.errors.front();
}

LOCKSTEP_NET_TEST(Streams, ManyConcurrentConnectionsEachGetTheirOwnBytes) {
  Server server = co_await lockstep::start_server(echo_lines, env.host, 0);
  const std::uint16_t port = server.port();
  constexpr int kClients = 40, kLines = 20;
  auto client = [&](int id) -> Coro<int> {
    auto [reader, writer] = co_await lockstep::open_connection(env.host, port);
    int matched = 0;
    for (int i = 0; i < kLines; ++i) {
      const std::string line = "client " + std::to_string(id) + " line " + std::to_string(i) + "\n";
      writer.write(line);
      if (co_await reader.readline() == line) ++matched;
    }
    writer.close();
    co_await writer.wait_closed();
    co_return matched;
  };
  std::vector<lockstep::Task<int>> tasks;
  for (int i = 0; i < kClients; ++i) tasks.push_back(lockstep::create_task(client(i)));
  std::vector<int> matched = co_await lockstep::gather(std::move(tasks));
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(matched[i], kLines) << "client " << i;
  server.close();
  co_await server.wait_closed();
  EXPECT_EQ(server.active_connections(), 0u);
}

LOCKSTEP_NET_TEST(Streams, HalfCloseLetsTheServerAnswerAfterEof) {
  auto handler = [](StreamReader reader, StreamWriter writer) -> Coro<void> {
    std::string all = co_await reader.read();  // until the client's EOF
    writer.write("got " + std::to_string(all.size()) + " bytes");
    writer.close();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  EXPECT_TRUE(writer.can_write_eof());
  writer.write(std::string(100'000, 'x'));
  writer.write_eof();
  EXPECT_THROW(writer.write("late"), lockstep::RuntimeError) << "write after write_eof";
  EXPECT_EQ(co_await reader.read(), "got 100000 bytes");
  EXPECT_TRUE(reader.at_eof());
  writer.close();
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, PeerResetMidReadRaisesConnectionResetError) {
  lockstep::Event reset_done;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    co_await reader.readexactly(4);
    writer.write("part");  // half a message...
    co_await writer.drain();
    writer.transport().abort();  // ...then a reset
    reset_done.set();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  writer.write("ping");
  bool reset = false;
  std::string got;
  try {
    got = co_await reader.readexactly(8);
  } catch (const lockstep::ConnectionResetError& e) {
    reset = true;
    EXPECT_EQ(e.errno_value(), ECONNRESET);
    EXPECT_EQ(e.code(), std::errc::connection_reset);
  } catch (const lockstep::IncompleteReadError& e) {
    ADD_FAILURE() << "a reset read as a clean EOF after '" << e.partial() << "'";
  }
  EXPECT_TRUE(reset);
  EXPECT_THROW(co_await reader.read(1), lockstep::ConnectionResetError)
      << "the error stays: every later read raises it";
  co_await reset_done.wait();
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, SlowReaderMakesTheWriterWaitInDrain) {
  lockstep::Event start_reading;
  std::size_t received = 0;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    co_await start_reading.wait();
    for (;;) {
      std::string chunk = co_await reader.read(1 << 16);
      if (chunk.empty()) break;
      received += chunk.size();
    }
    writer.close();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  // Fill the kernel's (or the simulated network's) buffers until our own passes the
  // high-water mark: bounded, so a network without backpressure fails here.
  const std::string chunk(1 << 20, 'd');
  std::size_t sent = 0;
  while (writer.transport().write_buffer_size() <= writer.transport().write_buffer_limits().high &&
         sent < (256u << 20)) {
    writer.write(chunk);
    sent += chunk.size();
    co_await lockstep::sleep(0s);  // let the kernel or the simulated network move bytes
  }
  EXPECT_GT(writer.transport().write_buffer_size(), writer.transport().write_buffer_limits().high);
  auto drain = lockstep::create_task(writer.drain());
  for (int i = 0; i < 5; ++i) co_await lockstep::sleep(0s);
  EXPECT_FALSE(drain.done()) << "drain() must wait while nobody reads";
  start_reading.set();
  co_await drain;
  writer.write_eof();
  EXPECT_EQ(co_await reader.read(), "");
  EXPECT_EQ(received, sent);
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, ClientTimesOutWithWaitForAndLosesNoBytes) {
  lockstep::Event answer;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    co_await answer.wait();
    writer.write("late answer\n");
    co_await reader.read();
    writer.close();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  EXPECT_THROW(co_await lockstep::wait_for(reader.readline(), 20ms), lockstep::TimeoutError);
  answer.set();
  EXPECT_EQ(co_await reader.readline(), "late answer\n") << "the timed-out read consumed nothing";
  writer.close();
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, CancelledReadLosesNoBytes) {
  lockstep::Event go;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    co_await go.wait();
    writer.write("abcdef");
    co_await reader.read();
    writer.close();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  auto pending = lockstep::create_task(reader.readexactly(6));
  co_await lockstep::sleep(0s);
  pending.cancel();
  EXPECT_THROW(co_await pending, lockstep::CancelledError);
  go.set();
  EXPECT_EQ(co_await reader.readexactly(6), "abcdef");
  writer.close();
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, ServerShutDownWithConnectionsOpen) {
  std::vector<StreamWriter> accepted;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    accepted.push_back(writer);
    co_await reader.read();  // until the client goes or we are closed
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  const std::uint16_t port = server.port();
  std::vector<std::pair<StreamReader, StreamWriter>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(co_await lockstep::open_connection(env.host, port));
  while (server.active_connections() < 3) co_await lockstep::sleep(0s);
  server.close();
  EXPECT_FALSE(server.is_serving());
  EXPECT_TRUE(server.sockets().empty());
  EXPECT_THROW(co_await lockstep::open_connection(env.host, port), lockstep::ConnectionRefusedError)
      << "a closed server accepts nothing";
  auto closed = lockstep::create_task(server.wait_closed());
  for (int i = 0; i < 3; ++i) co_await lockstep::sleep(0s);
  EXPECT_FALSE(closed.done()) << "wait_closed waits for the open connections";
  server.close_clients();
  co_await closed;
  for (auto& [reader, writer] : clients) {
    EXPECT_EQ(co_await reader.read(), "") << "the client reads EOF";
    writer.close();
  }
}

LOCKSTEP_NET_TEST(Streams, ServeForeverEndsWhenTheServerIsClosed) {
  Server server = co_await lockstep::start_server(echo_lines, env.host, 0);
  auto forever = lockstep::create_task(server.serve_forever());
  co_await lockstep::sleep(0s);
  EXPECT_THROW(co_await server.serve_forever(), lockstep::RuntimeError) << "served twice";
  server.close();
  EXPECT_THROW(co_await forever, lockstep::CancelledError);
}

LOCKSTEP_NET_TEST(Streams, ConnectingWhereNobodyListensIsRefused) {
  Server server = co_await lockstep::start_server(echo_lines, env.host, 0);
  const std::uint16_t port = server.port();
  server.close();
  co_await server.wait_closed();
  try {
    co_await lockstep::open_connection(env.host, port);
    ADD_FAILURE() << "connected to a closed port";
  } catch (const lockstep::ConnectionRefusedError& e) {
    EXPECT_EQ(e.errno_value(), ECONNREFUSED);
    EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
  }
}

LOCKSTEP_NET_TEST(Streams, ListeningOnATakenPortIsAddressInUse) {
  Server server = co_await lockstep::start_server(echo_lines, env.host, 0);
  try {
    co_await lockstep::start_server(echo_lines, env.host, server.port(), {.reuse_address = false});
    ADD_FAILURE() << "two servers on one port";
  } catch (const lockstep::OSError& e) {
    EXPECT_EQ(e.errno_value(), EADDRINUSE) << e.what();
  }
  server.close();
}

LOCKSTEP_NET_TEST(Streams, EofMidMessageIsAnIncompleteReadWithThePartialBytes) {
  auto handler = [](StreamReader, StreamWriter writer) -> Coro<void> {
    writer.write("abc");
    writer.close();
    co_return;
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  try {
    co_await reader.readexactly(10);
    ADD_FAILURE() << "readexactly returned at EOF";
  } catch (const lockstep::IncompleteReadError& e) {
    EXPECT_EQ(e.partial(), "abc");
    EXPECT_EQ(e.expected(), 10u);
    EXPECT_STREQ(e.what(), "lockstep: 3 bytes read on a total of 10 expected bytes");
  }
  writer.close();
  server.close();
}

LOCKSTEP_NET_TEST(Streams, GarbageWithoutSeparatorOverrunsTheLimitAndStaysReadable) {
  auto handler = [](StreamReader, StreamWriter writer) -> Coro<void> {
    writer.write(std::string(100, '\x01') + "\n" + "next\n");
    writer.close();
    co_return;
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  lockstep::StreamOptions limited;
  limited.limit = 16;
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port(), limited);
  // Everything in the buffer first, so the overrun is about the limit, not about how the
  // bytes were split in transit (a yield per round: no fixed real delay).
  while (reader.buffered() < 106) co_await lockstep::sleep(0s);
  EXPECT_THROW(co_await reader.readline(), std::length_error) << "a 101-byte line, limit 16";
  EXPECT_EQ(co_await reader.readline(), "next\n") << "the long line was dropped, the next kept";
  writer.close();
  server.close();
}

LOCKSTEP_NET_TEST(Streams, AFailingHandlerIsReportedAndItsConnectionClosed) {
  auto handler = [](StreamReader, StreamWriter) -> Coro<void> {
    throw std::runtime_error("handler bug");
    co_return;
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
  EXPECT_EQ(co_await reader.read(), "") << "the client is not left waiting";
  EXPECT_EQ(env.errors.size(), 1u);
  if (!env.errors.empty()) {
    EXPECT_EQ(env.errors[0],
              "Unhandled exception in client_connected_cb: std::runtime_error: handler bug");
  }
  writer.close();
  server.close();
}

LOCKSTEP_NET_TEST(Streams, ThousandsOfConnectionsOpenedAndDroppedLeakNothing) {
  std::size_t served = 0, resets = 0;
  auto handler = [&](StreamReader reader, StreamWriter writer) -> Coro<void> {
    ++served;
    try {
      co_await reader.read();
    } catch (const lockstep::ConnectionResetError&) {
      ++resets;  // what a real server sees of an aborted client
    }
    writer.close();
  };
  Server server = co_await lockstep::start_server(handler, env.host, 0);
  // 10,000 on real sockets; under simulation 1,000 per seed (x 20 seeds) says as much.
  const int kConnections = env.simulated ? 1000 : 10000;
  for (int i = 0; i < kConnections; ++i) {
    auto [reader, writer] = co_await lockstep::open_connection(env.host, server.port());
    if (i % 3 == 0) writer.write("half a messa");
    if (i % 2 == 0)
      writer.transport().abort();
    else
      writer.close();
  }
  while (server.active_connections() > 0 || served < std::size_t(kConnections))
    co_await lockstep::sleep(0s);
  EXPECT_EQ(served, std::size_t(kConnections));
  EXPECT_GT(resets, 0u) << "abort() resets the connection";
  EXPECT_LE(resets, std::size_t(kConnections / 2));
  server.close();
  co_await server.wait_closed();
  EXPECT_TRUE(env.errors.empty()) << env.errors.front();
}

namespace {
bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

LOCKSTEP_NET_TEST(Streams, EchoesOverIPv6Loopback) {
  if (!env.simulated && !ipv6_loopback_available()) {
    std::cout << "skipped: no ::1 on this machine\n";
    co_return;
  }
  Server server = co_await lockstep::start_server(echo_lines, "::1", 0);
  EXPECT_EQ(server.sockets().at(0).to_string(), "[::1]:" + std::to_string(server.port()));
  auto [reader, writer] = co_await lockstep::open_connection("::1", server.port());
  writer.write("over v6\n");
  EXPECT_EQ(co_await reader.readline(), "over v6\n");
  EXPECT_EQ(writer.peername()->family, lockstep::AddressFamily::kIPv6);
  writer.close();
  server.close();
  co_await server.wait_closed();
}

LOCKSTEP_NET_TEST(Streams, EchoesOverAUnixSocket) {
  const std::string path = "/tmp/lockstep-test-" + std::to_string(::getpid()) + ".sock";
  Server server = co_await lockstep::start_unix_server(echo_lines, path);
  EXPECT_EQ(server.sockets().at(0).host, path);
  auto [reader, writer] = co_await lockstep::open_unix_connection(path);
  writer.write("local\n");
  EXPECT_EQ(co_await reader.readline(), "local\n");
  writer.close();
  server.close();
  co_await server.wait_closed();
  if (!env.simulated) {
    EXPECT_NE(::access(path.c_str(), F_OK), 0) << "close() removes the socket file";
  }
}
