#include "sim/net/sim_network.h"

#include <cerrno>
#include <stdexcept>

#include "loop/errors.h"
#include "loop/future.h"
#include "loop/loop.h"
#include "loop/net/errors.h"
#include "sim/net/net_state.h"
#include "sim/net/sim_datagram.h"
#include "sim/net/sim_listener.h"
#include "sim/net/sim_stream.h"

namespace lockstep {

namespace {

void check_open(const internal::NetState& net) {
  if (net.shut_down) throw RuntimeError("lockstep: the loop's network is shut down");
}

// Where a connection or endpoint with no local address comes from: the loopback name it
// talks to, else the node's host (`host`), else "client".
Address local_for(const Address& remote, const std::optional<Address>& local,
                  const std::string* host) {
  if (local) return *local;
  if (remote.family == AddressFamily::kUnix) return Address{AddressFamily::kUnix, "", 0};
  if (internal::NetState::is_loopback(remote.host)) return Address{remote.family, remote.host, 0};
  return Address{AddressFamily::kNamed, host ? *host : "client", 0};
}

}  // namespace

SimNetwork::SimNetwork(Loop& loop, SimDecisions* decisions, SimNetworkOptions options)
    : state_(std::make_shared<internal::NetState>(loop, decisions, options)) {}

SimNetwork::~SimNetwork() { shutdown(); }

std::uint64_t SimNetwork::messages_sent() const noexcept { return state_->sent; }

void SimNetwork::node_killed(NodeId node) noexcept { state_->node_killed(node); }

void SimNetwork::block(std::string from, std::string to) {
  state_->faults.blocked.emplace(std::move(from), std::move(to));
}

std::string SimNetwork::hostname() const {
  const std::string* host = state_->current_host();
  return host ? *host : "localhost";
}

void SimNetwork::heal() { state_->heal(); }

void SimNetwork::unblock(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::size_t erased = 0;
  for (const auto& pair : pairs) erased += state_->faults.blocked.erase(pair);
  if (erased) state_->release_unblocked();
}

void SimNetwork::set_partition_mode(PartitionMode mode) noexcept {
  state_->faults.mode = mode == PartitionMode::kReset ? internal::NetFaults::PartitionMode::kReset
                                                      : internal::NetFaults::PartitionMode::kStall;
}

void SimNetwork::set_link_faults(std::optional<LinkFaults> faults) noexcept {
  internal::NetFaults& f = state_->faults;
  f.global = faults;
  f.links_on = f.global || !f.per_link.empty();
}

void SimNetwork::set_link_faults(std::string from, std::string to, LinkFaults faults) {
  if (from.empty() || to.empty())
    throw std::invalid_argument(
        "lockstep: SimNetwork::set_link_faults needs two host names (\"*\" for any), got \"" +
        from + "\" -> \"" + to + "\"");
  if (!(faults.loss >= 0 && faults.duplicate >= 0 && faults.loss + faults.duplicate <= 1))
    throw std::invalid_argument(
        "lockstep: SimNetwork::set_link_faults: loss and duplicate must be chances that sum to "
        "at most 1");
  internal::NetFaults& f = state_->faults;
  f.per_link.insert_or_assign(std::pair{std::move(from), std::move(to)}, faults);
  f.links_on = true;
}

void SimNetwork::clear_link_faults() noexcept {
  internal::NetFaults& f = state_->faults;
  f.per_link.clear();
  f.global.reset();
  f.links_on = false;
}

void SimNetwork::set_link_latency(std::string from, std::string to, Latency latency) {
  if (from.empty() || to.empty())
    throw std::invalid_argument(
        "lockstep: SimNetwork::set_link_latency needs two host names (\"*\" for any), got \"" +
        from + "\" -> \"" + to + "\"");
  state_->link_latencies.insert_or_assign(std::pair{std::move(from), std::move(to)}, latency);
}

void SimNetwork::clear_link_latencies() noexcept { state_->link_latencies.clear(); }

void SimNetwork::set_max_datagram(std::size_t bytes) noexcept {
  state_->faults.max_datagram = bytes;
}

std::uint64_t SimNetwork::datagrams_lost() const noexcept { return state_->lost; }
std::uint64_t SimNetwork::datagrams_duplicated() const noexcept { return state_->duplicated; }

void SimNetwork::attach_node(NodeId node, std::string host) {
  state_->attach_node(node, std::move(host));
}

void SimNetwork::shutdown() noexcept {
  internal::NetState& net = *state_;
  if (net.shut_down) return;
  net.shut_down = true;
  net.timer.cancel();
  net.timer_at.reset();
  net.arrivals.clear();
  auto open = std::move(net.open);
  net.open.clear();
  for (auto& [id, resource] : open) resource->drop();
  net.listeners.clear();
  net.endpoints.clear();
  net.stream_ports.clear();
}

Coro<std::shared_ptr<Transport>> SimNetwork::connect(Address remote,
                                                     std::shared_ptr<Protocol> protocol,
                                                     ConnectOptions options) {
  internal::NetState& net = *state_;
  check_open(net);
  if (remote.family != AddressFamily::kUnix && remote.port == 0)
    throw_os_error(ECONNREFUSED, "Connect call failed " + remote.to_string());
  Address local = local_for(remote, options.local, net.current_host());
  const std::string local_key = net.key_here(local);
  std::string local_name;
  if (local.family == AddressFamily::kUnix && local.host.empty()) {
    local_name = "unix-client#" + std::to_string(++net.unix_clients);
  } else {
    if (local.port == 0) {
      local.port = net.ephemeral_port(local_key, false);
    } else if (net.port_taken(local_key, local.port, false)) {
      throw_os_error(EADDRINUSE, "error while attempting to bind on address " + local.to_string());
    }
    local_name = local.to_string();
  }
  auto client = std::make_shared<internal::SimStream>(state_, local, remote, local_key);
  client->open(/*holds_port=*/local.family != AddressFamily::kUnix);
  auto out = net.make_pipe(local_name + " -> " + remote.to_string());
  out->source = local;
  out->from = client;
  out->dest = net.key_here(remote);
  out->from_host = local_key;
  out->to_host = out->dest;
  out->dest_port = remote.port;
  client->set_pipes(out, nullptr);
  Future<void> connected = net.loop.create_future<void>();
  client->expect_connect(connected);
  net.send(out, internal::Segment::control(internal::Segment::Kind::kSyn));
  // A cancelled or refused connect leaves nothing behind (what arrives later is reset).
  struct Abandon {
    std::shared_ptr<internal::SimStream> stream;
    ~Abandon() {
      if (stream) stream->abandon();
    }
  } guard{client};
  co_await connected;
  guard.stream = nullptr;
  client->start(std::move(protocol));
  co_return client;
}

Coro<std::shared_ptr<Listener>> SimNetwork::listen(Address local, ProtocolFactory factory,
                                                   ListenOptions options) {
  internal::NetState& net = *state_;
  check_open(net);
  const std::string key = net.key_here(local);
  if (local.family != AddressFamily::kUnix) {
    if (local.port == 0) {
      local.port = net.ephemeral_port(key, false);
    } else if (net.port_taken(key, local.port, false)) {
      throw_os_error(EADDRINUSE, "error while attempting to bind on address " + local.to_string());
    }
  } else if (net.listeners.count({key, 0})) {
    throw_os_error(EADDRINUSE, "error while attempting to bind on address " + local.to_string());
  }
  auto listener = std::make_shared<internal::SimListener>(state_, local, key, std::move(factory));
  listener->open();
  co_return listener;
}

Coro<std::shared_ptr<DatagramTransport>> SimNetwork::open_datagram(
    std::shared_ptr<DatagramProtocol> protocol, DatagramOptions options) {
  internal::NetState& net = *state_;
  check_open(net);
  if (!options.local && !options.remote)
    throw std::invalid_argument("lockstep: a datagram endpoint needs a local or a remote address");
  Address local =
      options.local ? *options.local : local_for(*options.remote, std::nullopt, net.current_host());
  const std::string key = net.key_here(local);
  if (local.port == 0) {
    local.port = net.ephemeral_port(key, true);
  } else if (net.port_taken(key, local.port, true) && !options.reuse_port) {
    throw_os_error(EADDRINUSE, "error while attempting to bind on address " + local.to_string());
  }
  auto endpoint = std::make_shared<internal::SimDatagram>(state_, local, key, options.remote,
                                                          std::move(protocol));
  endpoint->start();
  co_return endpoint;
}

}  // namespace lockstep
