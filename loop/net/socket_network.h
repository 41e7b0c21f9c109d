// Real sockets: the Network of a loop whose driver has file descriptors (EpollDriver).
// Made by network_of(loop) on first use; nothing to set up by hand.
//
//   lockstep::EpollDriver real;
//   lockstep::Loop loop({.driver = &real});
//   loop.run_until_complete(serve());   // open_connection/start_server use real sockets
//
// A port of asyncio's selector_events.py: non-blocking sockets, level-triggered
// readiness, reads of up to 256 KiB per readiness report, writes tried at once and
// buffered only when the kernel's buffer is full, TCP_NODELAY on every TCP connection.
// Hosts that are not numeric are resolved with getaddrinfo on the default executor.
#pragma once

#include <memory>

#include "loop/net/network.h"

namespace lockstep {

namespace internal {
struct SocketRegistry;
}

class SocketNetwork final : public Network {
 public:
  explicit SocketNetwork(Loop& loop);
  ~SocketNetwork() override;

  Coro<std::shared_ptr<Transport>> connect(Address remote, std::shared_ptr<Protocol> protocol,
                                           ConnectOptions options) override;
  Coro<std::shared_ptr<Listener>> listen(Address local, ProtocolFactory factory,
                                         ListenOptions options) override;
  Coro<std::shared_ptr<DatagramTransport>> open_datagram(std::shared_ptr<DatagramProtocol> protocol,
                                                         DatagramOptions options) override;
  void shutdown() noexcept override;
  const char* name() const noexcept override { return "sockets"; }

 private:
  Loop& loop_;
  // Every open connection, listener and endpoint, so shutdown() can drop them. Shared:
  // a transport a user still holds may outlive the network.
  std::shared_ptr<internal::SocketRegistry> registry_;
};

}  // namespace lockstep
