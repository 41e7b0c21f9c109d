// A simulated UDP endpoint (internal; see sim_network.h). Behaves as
// loop/net/datagram_socket.cc (asyncio's _SelectorDatagramTransport) as a protocol sees
// it; a perfect network never needs its send queue, so write_buffer_size() stays 0.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "loop/net/transport.h"
#include "sim/net/net_state.h"

namespace lockstep::internal {

class SimDatagram final : public DatagramTransport,
                          public NetResource,
                          public std::enable_shared_from_this<SimDatagram> {
 public:
  SimDatagram(std::shared_ptr<NetState> net, Address local, std::string local_key,
              std::optional<Address> peer, std::shared_ptr<DatagramProtocol> protocol)
      : net_(std::move(net)),
        local_(std::move(local)),
        local_key_(std::move(local_key)),
        peer_(std::move(peer)),
        protocol_(std::move(protocol)) {
    node = net_->loop.current_node();
  }

  // Takes the port, registers, calls connection_made.
  void start();
  // From the network's delivery callback.
  void receive(const DatagramMessage& m);

  void sendto(std::string_view data, std::optional<Address> to) override;
  void close() override;
  void abort() override;
  bool is_closing() const noexcept override { return closing_; }
  std::size_t write_buffer_size() const noexcept override { return 0; }
  std::optional<Address> peername() const override { return peer_; }
  std::optional<Address> sockname() const override { return local_; }
  void drop() noexcept override;
  void crash() noexcept override;
  bool closed() const noexcept { return closing_ || conn_lost_; }

 private:
  void fatal_error(std::exception_ptr error, const char* message);
  void force_close(std::exception_ptr error);
  void call_connection_lost(std::exception_ptr error);
  void release_port() noexcept;
  Loop& loop() const noexcept { return net_->loop; }

  std::shared_ptr<NetState> net_;
  std::uint64_t id_ = 0;
  Address local_;
  std::string local_key_;
  std::optional<Address> peer_;
  std::shared_ptr<DatagramProtocol> protocol_;
  int conn_lost_ = 0;
  bool closing_ = false;
  bool holds_port_ = false;
};

}  // namespace lockstep::internal
