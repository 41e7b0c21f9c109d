// The simulated network's insides (internal; see sim_network.h): what is in flight, the
// one delivery queue, who listens where.
//
// Every message goes through NetState::send(): its latency is decided there, it waits in
// `arrivals` ordered by (arrival time, sending order), and one loop timer (armed for the
// earliest arrival) moves what came due to the ready queue, one callback per link, in an
// order the simulation decides. That single path is where loss, duplication and
// partitions will be decided (issue 17).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "loop/handle.h"
#include "loop/loop.h"
#include "loop/net/address.h"
#include "sim/net/sim_network.h"

namespace lockstep {
class SimDecisions;
}

namespace lockstep::internal {

class SimStream;
class SimListener;
class SimDatagram;

// One message on a stream: data, or a control segment.
struct Segment {
  enum class Kind : std::uint8_t { kSyn, kSynAck, kAck, kData, kFin, kRst };
  Kind kind = Kind::kData;
  std::string data;
  TimePoint arrival{};
  std::uint64_t message = 0;      // the network's message number (traces pair send/receive)
  std::uint64_t sender_task = 0;  // who sent it: the task a delivery is said to wake by

  static Segment control(Kind kind) {
    Segment s;
    s.kind = kind;
    return s;
  }
};

// One direction of a connection: segments in sending order (arrival times never decrease,
// so bytes stay in order), and the window's accounting.
struct Pipe {
  std::string name;        // "client:49152 -> server:7000"
  std::uint64_t site = 0;  // its decision site (FNV-1a of the name)
  std::deque<Segment> segments;
  TimePoint last_arrival{};
  // Data bytes sent and not yet read by the receiver (in flight or in its receive queue):
  // the sender may send while this is below the window.
  std::size_t unread = 0;
  Address source;  // the sender's address (the server's peername, for a client's pipe)
  std::weak_ptr<SimStream> from;
  std::weak_ptr<SimStream> to;  // empty until the SYN is accepted
  std::weak_ptr<Pipe> reverse;  // the other direction: where a reset goes back
  // The receiving end's node and host, once known (kNoNode: no node): what arrives for a
  // node that lost power is lost, or reset once its host is back up.
  NodeId to_node = kNoNode;
  std::string to_host;
  std::string from_host;  // the sender's host key: partitions are between hosts
  // Segments held by a partition (NetFaults::kStall), in order, until it heals; while
  // any is held, later ones wait behind it.
  std::deque<Segment> stalled;
  // A client's pipe, from SYN to ACK: the way back, kept for the server's end that the ACK
  // makes (the client may be gone by then: the server still accepts, then reads its FIN).
  std::shared_ptr<Pipe> handshake;
  std::string dest;  // the SYN's destination key (see NetState::key)
  std::uint16_t dest_port = 0;
  bool delivery_queued = false;  // a deliver() callback is in the ready queue
};

// A datagram (or the ICMP error a datagram to a closed port earns a connected sender).
struct DatagramMessage {
  std::string data;
  Address from;
  std::string dest;  // NetState::key of the destination
  std::uint16_t dest_port = 0;
  std::weak_ptr<SimDatagram> sender;
  bool port_unreachable = false;  // the ICMP error, going back to `sender`
  std::uint64_t message = 0;
  std::uint64_t sender_task = 0;
  std::string link;       // for traces
  std::string from_host;  // the sender's host key
};

// Faults of the network as a whole (sim/world/ sets them): partitions between hosts, and
// per-message faults decided on every link while on.
struct NetFaults {
  // Directed (from host, to host) pairs that cannot talk.
  std::set<std::pair<std::string, std::string>> blocked;
  // What a partition does to a stream: hold its segments until it heals (TCP keeps
  // retransmitting), or reset the connection at both ends.
  enum class PartitionMode : std::uint8_t { kStall, kReset } mode = PartitionMode::kStall;
  // Per message, while links_on: a datagram lost or duplicated with these chances; a
  // stream segment "lost" arrives one retransmission timeout late instead (TCP hides the
  // loss), so streams see latency spikes and never lose or reorder bytes.
  // links_on: any link may have faults (the global setting, or some link's own).
  bool links_on = false;
  std::optional<LinkFaults> global;  // every link without its own
  // Links with their own faults, by directed (from host, to host); "*" matches any host.
  std::map<std::pair<std::string, std::string>, LinkFaults> per_link;
  // The faults of messages from `from` to `to`: the most specific setting, or null.
  const LinkFaults* for_link(const std::string& from, const std::string& to) const;
  // Datagrams longer than this arrive truncated to it (as MSG_TRUNC reads them).
  std::size_t max_datagram = 65507;
};

// What the network must drop when the loop closes.
class NetResource {
 public:
  virtual ~NetResource() = default;
  virtual void drop() noexcept = 0;  // close now, no protocol callbacks
  // Its node lost power: gone at once, port freed, nothing sent, no protocol callback.
  virtual void crash() noexcept = 0;
  NodeId node = kNoNode;  // the node it belongs to (the loop's current node at creation)
};

struct NetState : std::enable_shared_from_this<NetState> {
  NetState(Loop& l, SimDecisions* d, SimNetworkOptions o) : loop(l), sim(d), options(o) {}

  Loop& loop;
  SimDecisions* sim;  // null: fixed latency, sending order
  SimNetworkOptions options;
  bool shut_down = false;

  // Open connections, listeners and endpoints, by id: shutdown() drops them.
  std::map<std::uint64_t, std::shared_ptr<NetResource>> open;
  std::uint64_t last_id = 0;
  std::uint64_t add(std::shared_ptr<NetResource> r) {
    open.emplace(++last_id, std::move(r));
    return last_id;
  }
  void remove(std::uint64_t id) noexcept { open.erase(id); }

  // Ports in use, by (host key, port): listeners and connections (streams), endpoints
  // (datagrams). A wildcard listener's host key is "*".
  std::map<std::pair<std::string, std::uint16_t>, std::weak_ptr<SimListener>> listeners;
  std::map<std::pair<std::string, std::uint16_t>, std::uint64_t> stream_ports;  // -> users
  std::map<std::pair<std::string, std::uint16_t>, std::weak_ptr<SimDatagram>> endpoints;
  std::uint16_t next_port = kFirstEphemeral;
  static constexpr std::uint16_t kFirstEphemeral = 49152;
  std::uint64_t unix_clients = 0;  // names for unix clients: "unix-client#1"

  // Where an address lives: its host ("server", "127.0.0.1"), "*" for the wildcard hosts,
  // "unix:" + path for a unix socket.
  static std::string key(const Address& a);
  // key(a) as the current node sees it: on a node, the loopback and wildcard names are
  // the node's own host (its name) and unix paths are the node's own.
  std::string key_here(const Address& a);
  // The current node's host name, or null outside nodes. Notes it as its host's newest
  // incarnation.
  const std::string* current_host();
  // Host names of nodes, and each host's newest node (a restarted node replaces its old).
  std::map<NodeId, std::string> node_hosts;
  std::map<std::string, NodeId, std::less<>> host_nodes;
  // A node's host, registered (World does it at each start; else on first use).
  void attach_node(NodeId node, std::string host);
  // What arrives for a node that lost power is lost, unless its host is up again (then
  // the kernel there answers with a reset).
  bool host_up_again(const std::string& host) const;
  void node_killed(NodeId node) noexcept;
  static bool is_wildcard(const std::string& host) noexcept;
  // A loopback name: a connection to it comes from the same name.
  static bool is_loopback(const std::string& host) noexcept;
  // A free port on `host_key` (streams or datagrams), from 49152 up, wrapping;
  // OSError(EADDRNOTAVAIL) if none.
  std::uint16_t ephemeral_port(const std::string& host_key, bool datagram);
  bool port_taken(const std::string& host_key, std::uint16_t port, bool datagram) const;

  // The delivery queue, by (arrival, sending order).
  struct Arrival {
    std::shared_ptr<Pipe> pipe;                 // a stream segment: deliver the pipe
    std::shared_ptr<DatagramMessage> datagram;  // or one datagram
  };
  std::map<std::pair<TimePoint, std::uint64_t>, Arrival> arrivals;
  std::uint64_t sent = 0;  // messages so far: numbers them, orders equal arrival times
  NetFaults faults;
  std::vector<std::weak_ptr<Pipe>> stalled_pipes;  // pipes with segments held by a partition
  std::uint64_t lost = 0, duplicated = 0;          // datagrams, by link faults or partitions
  bool blocked(const std::string& from, const std::string& to) const {
    return !faults.blocked.empty() && faults.blocked.count({from, to});
  }
  // The partitions end: held segments go on (with new latencies), in order.
  void heal();
  // After faults.blocked shrank: what is no longer blocked goes on.
  void release_unblocked();
  TimerHandle timer;
  std::optional<TimePoint> timer_at;

  // Latencies the test set per directed (from host, to host) pair; "*" matches any host.
  // Empty: every link has the strategy's (net_latency plus a decided net_delay).
  std::map<std::pair<std::string, std::string>, Latency> link_latencies;
  // The latency set for messages from `from` to `to` (most specific match), or null.
  const Latency* link_latency(const std::string& from, const std::string& to) const;
  // A message's latency on link `site` from host `from` to host `to` (decided).
  Duration latency(std::uint64_t site, const std::string& from, const std::string& to);
  // Sends `segment` down `pipe`: decides its latency, queues it, traces it.
  void send(const std::shared_ptr<Pipe>& pipe, Segment segment);
  // Sends a datagram (or the ICMP error): latency decided on link site_of(link).
  void send(std::shared_ptr<DatagramMessage> datagram);
  // A new pipe named `name`, its site registered with the simulation.
  std::shared_ptr<Pipe> make_pipe(std::string name);

  std::uint64_t current_task() const noexcept;
  void trace(LoopEvent::Kind kind, std::uint64_t task, std::uint64_t message,
             const std::string& text) noexcept;

 private:
  void arm(TimePoint at);
  // Queues `s` (numbered and traced already) to arrive on `pipe` after `extra` more.
  void schedule(const std::shared_ptr<Pipe>& pipe, Segment s, Duration extra);
  // A partition in reset mode: both ends of `pipe`'s connection are reset.
  void reset_across_partition(const std::shared_ptr<Pipe>& pipe);
  // Per-message link fault: 0 none, 1 lost, 2 duplicated (datagrams; `datagram` false:
  // 1 = retransmitted late).
  std::uint64_t link_fault(std::uint64_t site, bool datagram, const LinkFaults& faults);
  void on_timer();
  void deliver(const std::shared_ptr<Pipe>& pipe);
  void deliver(const DatagramMessage& datagram);
  // The server's half of the handshake: a SYN is answered (SYN-ACK, or RST if nobody
  // listens); the client's ACK makes the connection, which the listener then accepts.
  // Until that ACK nothing exists on the server's side, as in Linux's SYN queue.
  void on_syn(const std::shared_ptr<Pipe>& pipe, const Segment& syn);
  void on_ack(const std::shared_ptr<Pipe>& pipe, const Segment& ack);
  std::shared_ptr<SimListener> listener_at(const std::string& key, std::uint16_t port) const;
  // `pipe`'s reverse direction, or (none yet) a new pipe back to its sender; null if the
  // sender is gone.
  std::shared_ptr<Pipe> way_back(const std::shared_ptr<Pipe>& pipe);
  // A reset back along `pipe`'s reverse direction (from a closed or missing socket).
  void reset_back(const std::shared_ptr<Pipe>& pipe, std::uint64_t cause_task);
};

// The decision site of a link: FNV-1a of its name, as internal::site_of hashes "file:line".
std::uint64_t link_site(std::string_view name) noexcept;
// "SYN", "5 bytes", ... for traces.
std::string segment_text(const Segment& s);

}  // namespace lockstep::internal
