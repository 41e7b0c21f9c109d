// UDP as awaitables: a datagram endpoint you send to and receive from (over real
// sockets, or the simulated network under simulation).
//
//   auto server = co_await lockstep::open_datagram_endpoint({.local =
//   lockstep::Address::parse("127.0.0.1:0")}); auto client = co_await
//   lockstep::open_datagram_endpoint({.remote = *server.sockname()}); co_await
//   client.sendto("ping");                        // to the connected peer lockstep::Datagram d =
//   co_await server.recvfrom();     // {"ping", client's address} co_await server.sendto("pong",
//   d.from);
//
// Underneath is asyncio's create_datagram_endpoint (also here, for protocols of your
// own). recvfrom() is cancellable without loss: a datagram is only taken by a recvfrom
// that returns it. Received datagrams wait in a bounded queue (max_queued); past it new
// ones are dropped and counted, as a kernel's full receive buffer would. An error the
// network reports for the endpoint (ECONNREFUSED after sending to a closed port of a
// connected peer) is raised by the next recvfrom().
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "loop/coro.h"
#include "loop/net/address.h"
#include "loop/net/network.h"
#include "loop/net/transport.h"

namespace lockstep {

namespace internal {
class DatagramQueue;
}

struct Datagram {
  std::string data;
  Address from;
};

struct DatagramEndpointOptions : DatagramOptions {
  std::size_t max_queued = 1024;  // received datagrams kept until read
};

class DatagramEndpoint {
 public:
  // The next datagram. RuntimeError once the endpoint is closed and drained.
  [[nodiscard]] Coro<Datagram> recvfrom();
  // Sends one datagram (to the connected peer if `to` is nullopt), then waits while the
  // send buffer is over its high-water mark.
  [[nodiscard]] Coro<void> sendto(std::string data, std::optional<Address> to = std::nullopt);
  void close();
  bool is_closing() const;
  std::optional<Address> sockname() const;
  std::optional<Address> peername() const;
  // Datagrams dropped because the queue was full.
  std::size_t dropped() const;
  DatagramTransport& transport() const;

  // Internal: made by open_datagram_endpoint.
  explicit DatagramEndpoint(std::shared_ptr<internal::DatagramQueue> queue)
      : queue_(std::move(queue)) {}

 private:
  std::shared_ptr<internal::DatagramQueue> queue_;
};

[[nodiscard]] Coro<DatagramEndpoint> open_datagram_endpoint(DatagramEndpointOptions options);

// asyncio's loop.create_datagram_endpoint, for a protocol of your own.
[[nodiscard]] Coro<std::shared_ptr<DatagramTransport>> create_datagram_endpoint(
    std::shared_ptr<DatagramProtocol> protocol, DatagramOptions options);

}  // namespace lockstep
