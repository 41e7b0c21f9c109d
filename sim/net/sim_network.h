// SimNetwork: the simulated network every simulated loop gets. In-process, in virtual time:
// no socket, no syscall; the same Protocol/Transport contract as real sockets
// (loop/net/transport.h), so streams and datagrams read the same on both.
//
//   LOCKSTEP_TEST(Echo, RepliesWhatItGot) {          // simulate() installs a SimNetwork
//     auto server = co_await lockstep::network().listen(
//         lockstep::Address::parse("server:7000"), [] { return std::make_shared<Echo>(); }, {});
//     auto client = std::make_shared<Collect>();
//     auto t = co_await lockstep::network().connect(lockstep::Address::parse("server:7000"),
//                                                   client, {});
//     t->write("ping");                              // arrives ~50us later, in order
//     ...
//   }
//
// Hosts are names: "server", "db-2", and also "127.0.0.1", "::1", "localhost" (plain names,
// so bodies written for loopback run unchanged); "", "0.0.0.0" and "::" listen on every
// name. A unix socket's path is a name too. Port 0 picks a free port, deterministically,
// from 49152 up. A connection made without options.local comes from the host it dials if
// that is a loopback name, else from the host "client".
//
// What a Protocol sees, as on Linux:
//   - connect: a round trip (SYN, SYN-ACK); ConnectionRefusedError (ECONNREFUSED) if
//     nobody listens there, after that round trip. The server accepts (connection_made)
//     when the client's ACK arrives, as Linux's accept queue does: a connect cancelled
//     before the SYN-ACK leaves nothing on the server. listen: EADDRINUSE on a taken port.
//   - bytes in order per direction, delivered in chunks (what arrived by the time the
//     receiver reads, up to 256 KiB), each write sent as one segment;
//   - a bounded receive window per direction (SimNetworkOptions::window): a reader that
//     does not read (pause_reading) stops its peer's sends, whose transport buffer then
//     grows past the high-water mark (pause_writing);
//   - write_eof: the peer's eof_received after the data before it; close: flushes, then
//     connection_lost(null) and a FIN; abort: drops the buffer and resets the connection:
//     the peer's next read fails with ConnectionResetError (ECONNRESET). A socket closed
//     with unread data resets too, and data reaching a closed socket is answered with a
//     reset, as Linux does.
//   - datagrams: sendto/datagram_received with addresses; never lost, each with its own
//     latency, so they may arrive in another order. A datagram to a port nobody bound is
//     dropped; on a connected endpoint the sender gets error_received(ECONNREFUSED).
//
// Every choice is a decision of the simulation (sim_decisions.h): each message's latency
// (strategy net_latency plus a decided net_delay, site = the link "a:1 -> b:2", named for
// `lockstep show` and shrink summaries), and the order of deliveries due together
// (completion_order). Value 0 everywhere is the faithful default: a fixed latency, arrival
// in sending order. Sends and arrivals are loop events (net_send, net_receive) for traces.
//
// Latencies per link (set_link_latency): a distribution per directed pair of hosts
// (fixed, uniform, log-uniform, heavy-tailed; sim/latency.h), each message a decision.
//
// Faults, all off by default (a perfect network): partitions between hosts (block/heal;
// streams stall or reset, datagrams are lost), per-message loss and duplication
// (set_link_faults: datagrams lost or doubled, stream segments late by a retransmission
// timeout, never lost or reordered), datagram truncation, and nodes that lose power
// (Loop::kill_node: their sockets vanish; see sim/world/world.h). sim/world drives them.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loop/net/network.h"
#include "sim/latency.h"

namespace lockstep {

class Loop;
class SimDecisions;

namespace internal {
struct NetState;
}

// Per-message faults on every link (see SimNetwork::set_link_faults), each a decision
// (kind link_fault, site = the link; 0 = delivered as sent).
struct LinkFaults {
  double loss = 0;       // a datagram is lost; a stream segment arrives one RTO late
  double duplicate = 0;  // a datagram arrives twice (each copy with its own latency)
  Duration retransmit_timeout = std::chrono::milliseconds(200);
};

// What a partition does to a stream connection across it.
enum class PartitionMode : std::uint8_t {
  kStall,  // its segments wait until the partition heals (TCP retransmitting), then arrive
  kReset,  // both ends are reset (ECONNRESET), as by a middlebox or a short TCP_USER_TIMEOUT
};

struct SimNetworkOptions {
  // Bytes a direction of a connection holds unread (in flight plus arrived but not read):
  // the sender waits (its transport buffers) until the receiver reads.
  std::size_t window = 256 * 1024;
};

class SimNetwork final : public Network {
 public:
  // `decisions`: the simulation deciding latencies and delivery order (not owned); null:
  // a fixed 50us latency, sending order - a perfect network without a simulation.
  SimNetwork(Loop& loop, SimDecisions* decisions, SimNetworkOptions options = {});
  ~SimNetwork() override;

  Coro<std::shared_ptr<Transport>> connect(Address remote, std::shared_ptr<Protocol> protocol,
                                           ConnectOptions options) override;
  Coro<std::shared_ptr<Listener>> listen(Address local, ProtocolFactory factory,
                                         ListenOptions options) override;
  Coro<std::shared_ptr<DatagramTransport>> open_datagram(std::shared_ptr<DatagramProtocol> protocol,
                                                         DatagramOptions options) override;
  void shutdown() noexcept override;
  void node_killed(NodeId node) noexcept override;
  // Gives `node` the host name `host` (World: its name, at each start); a node that uses
  // the network without one gets its name. Its loopback and wildcard addresses are that
  // host; a restarted node takes over its host, and old connections to it are reset.
  void attach_node(NodeId node, std::string host);
  const char* name() const noexcept override { return "simulated"; }
  // The current node's host name; "localhost" outside nodes.
  std::string hostname() const override;

  // Messages sent so far (segments, control segments and datagrams).
  std::uint64_t messages_sent() const noexcept;

  // Faults. Hosts are names as keys: a node's name, "client", "server", ...
  // Nothing sent from `from` reaches `to` until heal(): datagrams are lost, streams
  // behave as partition_mode says.
  void block(std::string from, std::string to);
  // Every block ends; held stream segments go on, in order.
  void heal();
  // The blocks between these (from, to) pairs end (those that exist); held stream
  // segments go on, in order.
  void unblock(const std::vector<std::pair<std::string, std::string>>& pairs);
  void set_partition_mode(PartitionMode mode) noexcept;
  // Per-message faults on every link without its own, from now on; nullopt: none (the
  // default).
  void set_link_faults(std::optional<LinkFaults> faults) noexcept;
  // Per-message faults of messages from host `from` to host `to` ("*": any host; the most
  // specific setting wins, as for latencies), whatever the setting of every link says.
  //   net.set_link_faults("n1", "*", {.loss = 0.3});   // n1's flaky uplink
  void set_link_faults(std::string from, std::string to, LinkFaults faults);
  // No link faults anywhere.
  void clear_link_faults() noexcept;
  // Each message from host `from` to host `to` from now on takes a latency drawn from
  // `latency` (a decision of kind net_delay per message: latency.min() plus a decided
  // extra, which shrinking moves toward min; min under the fifo strategy) instead of the
  // strategy's net_latency and net_delay. One direction; "*" matches any host, and the
  // most specific setting wins: (from, to), (from, *), (*, to), (*, *).
  //   net.set_link_latency("eu", "us", lockstep::Latency::heavy_tailed(40ms, 400ms));
  void set_link_latency(std::string from, std::string to, Latency latency);
  // Every link back to the strategy's latency.
  void clear_link_latencies() noexcept;
  // Datagrams longer than `bytes` arrive truncated to it (default 65507).
  void set_max_datagram(std::size_t bytes) noexcept;
  // Datagrams lost (to link faults or partitions) and duplicated so far.
  std::uint64_t datagrams_lost() const noexcept;
  std::uint64_t datagrams_duplicated() const noexcept;

 private:
  // Shared with every transport and listener: a transport a user still holds may outlive
  // the network.
  std::shared_ptr<internal::NetState> state_;
};

}  // namespace lockstep
