#include "sim/net/net_state.h"

#include <cerrno>

#include "loop/internal/task_base.h"
#include "loop/net/errors.h"
#include "sim/net/sim_datagram.h"
#include "sim/net/sim_listener.h"
#include "sim/net/sim_stream.h"
#include "sim/sim_decisions.h"

namespace lockstep::internal {

std::uint64_t link_site(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64-bit, as site_of
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string segment_text(const Segment& s) {
  switch (s.kind) {
    case Segment::Kind::kSyn:
      return "SYN";
    case Segment::Kind::kSynAck:
      return "SYN-ACK";
    case Segment::Kind::kAck:
      return "ACK";
    case Segment::Kind::kFin:
      return "FIN";
    case Segment::Kind::kRst:
      return "RST";
    case Segment::Kind::kData:
      break;
  }
  return std::to_string(s.data.size()) + (s.data.size() == 1 ? " byte" : " bytes");
}

std::string NetState::key(const Address& a) {
  if (a.family == AddressFamily::kUnix) return "unix:" + a.host;
  return is_wildcard(a.host) ? "*" : a.host;
}

const std::string* NetState::current_host() {
  const NodeId node = loop.current_node();
  if (node == kNoNode) return nullptr;
  auto it = node_hosts.find(node);
  if (it == node_hosts.end()) {
    attach_node(node, loop.node_name(node));
    it = node_hosts.find(node);
  }
  return &it->second;
}

std::string NetState::key_here(const Address& a) {
  const std::string* host = current_host();
  if (!host) return key(a);
  if (a.family == AddressFamily::kUnix) return "unix:" + *host + ":" + a.host;
  if (is_wildcard(a.host) || is_loopback(a.host)) return *host;
  return a.host;
}

void NetState::attach_node(NodeId node, std::string host) {
  NodeId& newest = host_nodes[host];
  if (newest < node) newest = node;
  node_hosts[node] = std::move(host);
}

bool NetState::host_up_again(const std::string& host) const {
  auto it = host_nodes.find(host);
  return it != host_nodes.end() && loop.node_alive(it->second);
}

void NetState::node_killed(NodeId node) noexcept {
  std::vector<std::shared_ptr<NetResource>> gone;
  for (auto it = open.begin(); it != open.end();) {
    if (it->second->node == node) {
      gone.push_back(std::move(it->second));
      it = open.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& r : gone) r->crash();
}

bool NetState::is_wildcard(const std::string& host) noexcept {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "*";
}

bool NetState::is_loopback(const std::string& host) noexcept {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

bool NetState::port_taken(const std::string& host_key, std::uint16_t port, bool datagram) const {
  if (datagram) {
    if (endpoints.count({host_key, port})) return true;
    if (host_key == "*") {
      for (const auto& [k, v] : endpoints)
        if (k.second == port) return true;
      return false;
    }
    return endpoints.count({"*", port}) != 0;
  }
  if (listeners.count({host_key, port}) || stream_ports.count({host_key, port})) return true;
  // A wildcard listener takes the port on every name, and a name's port blocks it.
  if (host_key == "*") {
    for (const auto& [k, v] : listeners)
      if (k.second == port) return true;
    for (const auto& [k, v] : stream_ports)
      if (k.second == port) return true;
    return false;
  }
  return listeners.count({"*", port}) != 0;
}

std::uint16_t NetState::ephemeral_port(const std::string& host_key, bool datagram) {
  constexpr unsigned kCount = 65536 - kFirstEphemeral;
  for (unsigned tries = 0; tries < kCount; ++tries) {
    const std::uint16_t port = next_port;
    next_port = next_port == 65535 ? kFirstEphemeral : static_cast<std::uint16_t>(next_port + 1);
    if (!port_taken(host_key, port, datagram)) return port;
  }
  throw_os_error(EADDRNOTAVAIL, "no free port on " + host_key);
}

std::uint64_t NetState::current_task() const noexcept {
  const TaskBase* t = loop.current_task();
  return t ? t->id() : 0;
}

void NetState::trace(LoopEvent::Kind kind, std::uint64_t task, std::uint64_t message,
                     const std::string& text) noexcept {
  if (!loop.observer()) return;
  // notify() stamps the loop's time and the task we name.
  loop.notify(kind, task, message, text);
}

std::shared_ptr<Pipe> NetState::make_pipe(std::string name) {
  auto p = std::make_shared<Pipe>();
  p->site = link_site(name);
  if (sim) sim->name_site(p->site, name);
  p->name = std::move(name);
  return p;
}

const Latency* NetState::link_latency(const std::string& from, const std::string& to) const {
  static const std::string any = "*";
  for (const auto& key : {std::pair<const std::string&, const std::string&>{from, to},
                          {from, any},
                          {any, to},
                          {any, any}}) {
    const auto it = link_latencies.find(std::pair{key.first, key.second});
    if (it != link_latencies.end()) return &it->second;
  }
  return nullptr;
}

Duration NetState::latency(std::uint64_t site, const std::string& from, const std::string& to) {
  if (!link_latencies.empty()) [[unlikely]]
    if (const Latency* l = link_latency(from, to))
      return sim ? sim->link_latency(site, *l) : l->min();
  return sim ? sim->net_delay(site) : std::chrono::microseconds(50);
}

void NetState::send(const std::shared_ptr<Pipe>& pipe, Segment s) {
  if (!loop.node_alive(loop.current_node())) return;  // a dead node sends nothing
  const bool held = !pipe->stalled.empty() || blocked(pipe->from_host, pipe->to_host);
  Duration lat{};
  bool retransmitted = false;
  if (!held) [[likely]] {
    lat = latency(pipe->site, pipe->from_host, pipe->to_host);
    // A lost segment is retransmitted: TCP turns loss into a late arrival.
    if (faults.links_on) [[unlikely]]
      if (const LinkFaults* f = faults.for_link(pipe->from_host, pipe->to_host))
        if (link_fault(pipe->site, false, *f) != 0) {
          lat += f->retransmit_timeout;
          retransmitted = true;
        }
  }
  s.message = ++sent;
  s.sender_task = current_task();
  if (held) [[unlikely]] {
    const bool reset = faults.mode == NetFaults::PartitionMode::kReset;
    if (loop.observer())
      trace(LoopEvent::Kind::kNetSend, s.sender_task, s.message,
            pipe->name + " " + segment_text(s) +
                (reset ? " (cut by a partition: connection reset)" : " (held by a partition)"));
    if (reset) {
      if (s.kind != Segment::Kind::kRst) reset_across_partition(pipe);
      return;
    }
    if (pipe->stalled.empty()) stalled_pipes.push_back(pipe);
    pipe->stalled.push_back(std::move(s));
    return;
  }
  if (loop.observer()) [[unlikely]]
    trace(LoopEvent::Kind::kNetSend, s.sender_task, s.message,
          pipe->name + " " + segment_text(s) + (retransmitted ? " (retransmitted)" : ""));
  schedule(pipe, std::move(s), lat);
}

void NetState::schedule(const std::shared_ptr<Pipe>& pipe, Segment s, Duration lat) {
  // Arrival times on a pipe never go backwards: bytes stay in order whatever the latency.
  s.arrival = std::max(loop.global_time() + lat, pipe->last_arrival);
  pipe->last_arrival = s.arrival;
  arrivals.emplace(std::pair{s.arrival, s.message}, Arrival{pipe, nullptr});
  const TimePoint at = s.arrival;
  pipe->segments.push_back(std::move(s));
  arm(at);
}

void NetState::reset_across_partition(const std::shared_ptr<Pipe>& pipe) {
  // As if the connection timed out: each end reads ECONNRESET. The resets are the
  // network's own, so the partition does not hold them.
  auto force_rst = [this](const std::shared_ptr<Pipe>& p) {
    Segment r = Segment::control(Segment::Kind::kRst);
    r.message = ++sent;
    if (loop.observer()) trace(LoopEvent::Kind::kNetSend, 0, r.message, p->name + " RST");
    schedule(p, std::move(r), latency(p->site, p->from_host, p->to_host));
  };
  force_rst(pipe);
  if (std::shared_ptr<Pipe> back = way_back(pipe)) force_rst(back);
}

void NetState::heal() {
  faults.blocked.clear();
  release_unblocked();
}

void NetState::release_unblocked() {
  auto pipes = std::move(stalled_pipes);
  stalled_pipes.clear();
  for (const std::weak_ptr<Pipe>& weak : pipes) {
    std::shared_ptr<Pipe> pipe = weak.lock();
    if (!pipe) continue;
    if (blocked(pipe->from_host, pipe->to_host)) {
      stalled_pipes.push_back(weak);
      continue;
    }
    while (!pipe->stalled.empty()) {
      Segment s = std::move(pipe->stalled.front());
      pipe->stalled.pop_front();
      schedule(pipe, std::move(s), latency(pipe->site, pipe->from_host, pipe->to_host));
    }
  }
}

const LinkFaults* NetFaults::for_link(const std::string& from, const std::string& to) const {
  if (!per_link.empty()) {
    static const std::string any = "*";
    for (const auto& key : {std::pair<const std::string&, const std::string&>{from, to},
                            {from, any},
                            {any, to},
                            {any, any}}) {
      const auto it = per_link.find(std::pair{key.first, key.second});
      if (it != per_link.end()) return &it->second;
    }
  }
  return global ? &*global : nullptr;
}

std::uint64_t NetState::link_fault(std::uint64_t site, bool datagram, const LinkFaults& f) {
  if (!sim) return 0;
  const double loss = f.loss, duplicate = datagram ? f.duplicate : 0.0;
  return sim->choose_drawn(DecisionKind::kLinkFault, site, datagram ? 3 : 2,
                           [loss, duplicate](SplitMix64& rng) -> std::uint64_t {
                             const double x = static_cast<double>(rng.next() >> 11) * 0x1p-53;
                             if (x < loss) return 1;
                             if (x < loss + duplicate) return 2;
                             return 0;
                           });
}

void NetState::send(std::shared_ptr<DatagramMessage> m) {
  if (!loop.node_alive(loop.current_node())) return;
  const std::uint64_t site = link_site(m->link);
  if (sim) sim->name_site(site, m->link);
  const TimePoint arrival = loop.global_time() + latency(site, m->from_host, m->dest);
  m->message = ++sent;
  m->sender_task = current_task();
  const char* fate = "";
  std::uint64_t fault = 0;
  if (!m->port_unreachable) [[likely]] {
    if (blocked(m->from_host, m->dest)) {
      fault = 1;
      fate = " (lost: partition)";
    } else if (faults.links_on) {
      if (const LinkFaults* f = faults.for_link(m->from_host, m->dest))
        fault = link_fault(site, true, *f);
      fate = fault == 1 ? " (lost)" : fault == 2 ? " (duplicated)" : "";
    }
    if (m->data.size() > faults.max_datagram) m->data.resize(faults.max_datagram);
  }
  if (loop.observer()) [[unlikely]]
    trace(LoopEvent::Kind::kNetSend, m->sender_task, m->message,
          m->link +
              (m->port_unreachable ? " ICMP port unreachable"
                                   : " datagram " + std::to_string(m->data.size()) + " bytes") +
              fate);
  if (fault == 1) {
    ++lost;
    return;
  }
  if (fault == 2) {
    ++duplicated;
    auto copy = std::make_shared<DatagramMessage>(*m);
    const TimePoint again = loop.global_time() + latency(site, m->from_host, m->dest);
    arrivals.emplace(std::pair{again, ++sent}, Arrival{nullptr, std::move(copy)});
    arm(again);
  }
  const std::pair key{arrival, m->message};  // before m moves away
  arrivals.emplace(key, Arrival{nullptr, std::move(m)});
  arm(arrival);
}

void NetState::arm(TimePoint at) {
  if (timer_at && *timer_at <= at) return;
  if (timer_at) timer.cancel();
  timer_at = at;
  // The delivery timer is the network's, not the program's: its lateness is the messages'
  // own net_delay, so the simulation decides no timer_delay for it.
  if (sim) sim->set_exact_timer(true);
  // The network's timer belongs to no node: a crash of the sender must not stop it.
  Loop::NodeScope world(loop, kNoNode);
  timer = loop.call_at_global(at, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->on_timer();
  });
  if (sim) sim->set_exact_timer(false);
}

void NetState::on_timer() {
  timer_at.reset();
  if (shut_down) return;
  // What came due, in (arrival, sending) order: one delivery per pipe, one per datagram.
  std::vector<Arrival> due;
  const TimePoint now = loop.global_time();
  while (!arrivals.empty() && arrivals.begin()->first.first <= now) {
    Arrival a = std::move(arrivals.begin()->second);
    arrivals.erase(arrivals.begin());
    if (a.pipe) {
      if (a.pipe->delivery_queued) continue;
      a.pipe->delivery_queued = true;
    }
    due.push_back(std::move(a));
  }
  // Simultaneous arrivals enter the ready queue in a decided order (0: arrival order),
  // each its own callback, as a selector reports several ready sockets.
  while (!due.empty()) {
    const std::size_t i = sim ? sim->pick_arrival(due.size()) : 0;
    Arrival a = std::move(due[i]);
    due.erase(due.begin() + static_cast<std::ptrdiff_t>(i));
    loop.call_soon([weak = weak_from_this(), a = std::move(a)] {
      auto self = weak.lock();
      if (!self || self->shut_down) return;
      if (a.pipe)
        self->deliver(a.pipe);
      else
        self->deliver(*a.datagram);
    });
  }
  if (!arrivals.empty()) arm(arrivals.begin()->first.first);
}

void NetState::deliver(const std::shared_ptr<Pipe>& pipe) {
  pipe->delivery_queued = false;
  const TimePoint now = loop.global_time();
  while (!pipe->segments.empty() && pipe->segments.front().arrival <= now && !shut_down) {
    Segment s = std::move(pipe->segments.front());
    pipe->segments.pop_front();
    if (loop.observer()) [[unlikely]]
      trace(LoopEvent::Kind::kNetReceive, 0, s.message, pipe->name + " " + segment_text(s));
    // A task this wakes was woken by the sender (show: "woken by task 3 'client'").
    const bool observed = loop.observer() != nullptr;
    Loop::CallbackCause outer{};
    if (observed) outer = loop.exchange_callback_cause({s.sender_task, false});
    if (pipe->to_node != kNoNode && !loop.node_alive(pipe->to_node)) [[unlikely]] {
      // Its receiver lost power: lost, unless the host is back up (a new incarnation),
      // whose kernel knows no such connection and resets it.
      if (s.kind == Segment::Kind::kData) pipe->unread -= std::min(pipe->unread, s.data.size());
      if (host_up_again(pipe->to_host) &&
          (s.kind == Segment::Kind::kData || s.kind == Segment::Kind::kSynAck ||
           s.kind == Segment::Kind::kFin))
        reset_back(pipe, s.sender_task);
    } else if (s.kind == Segment::Kind::kSyn) {
      on_syn(pipe, s);
    } else if (s.kind == Segment::Kind::kAck) {
      on_ack(pipe, s);
    } else if (auto to = pipe->to.lock(); to && !to->socket_closed()) {
      if (s.kind == Segment::Kind::kSynAck) to->set_in(pipe);
      Loop::NodeScope on(loop, to->node);  // what the protocol does belongs to its node
      to->receive(std::move(s));
    } else {
      if (s.kind == Segment::Kind::kData) pipe->unread -= std::min(pipe->unread, s.data.size());
      // Data or a SYN-ACK reaching a closed socket earns a reset; a FIN or RST does not.
      if (s.kind == Segment::Kind::kData || s.kind == Segment::Kind::kSynAck)
        reset_back(pipe, s.sender_task);
    }
    if (observed) loop.exchange_callback_cause(outer);
  }
}

void NetState::deliver(const DatagramMessage& m) {
  if (loop.observer()) [[unlikely]]
    trace(LoopEvent::Kind::kNetReceive, 0, m.message,
          m.link + (m.port_unreachable ? " ICMP port unreachable"
                                       : " datagram " + std::to_string(m.data.size()) + " bytes"));
  const bool observed = loop.observer() != nullptr;
  Loop::CallbackCause outer{};
  if (observed) outer = loop.exchange_callback_cause({m.sender_task, false});
  struct Restore {
    Loop& loop;
    bool observed;
    Loop::CallbackCause outer;
    ~Restore() {
      if (observed) loop.exchange_callback_cause(outer);
    }
  } restore{loop, observed, outer};
  if (m.port_unreachable) {
    if (auto sender = m.sender.lock(); sender && loop.node_alive(sender->node)) {
      Loop::NodeScope on(loop, sender->node);
      sender->receive(m);
    }
    return;
  }
  std::shared_ptr<SimDatagram> to;
  if (auto it = endpoints.find({m.dest, m.dest_port}); it != endpoints.end())
    to = it->second.lock();
  if (!to)
    if (auto it = endpoints.find({"*", m.dest_port}); it != endpoints.end()) to = it->second.lock();
  if (to) {
    Loop::NodeScope on(loop, to->node);
    to->receive(m);
    return;
  }
  // A host that lost power answers nothing.
  if (auto it = host_nodes.find(m.dest); it != host_nodes.end() && !host_up_again(m.dest)) return;
  // Nobody bound there: dropped; a connected sender hears of it (ICMP port unreachable).
  auto sender = m.sender.lock();
  if (!sender || !sender->peername()) return;
  auto icmp = std::make_shared<DatagramMessage>();
  icmp->port_unreachable = true;
  icmp->sender = m.sender;
  icmp->from = m.from;
  icmp->link = m.link;
  send(std::move(icmp));
}

std::shared_ptr<SimListener> NetState::listener_at(const std::string& key,
                                                   std::uint16_t port) const {
  std::shared_ptr<SimListener> listener;
  if (auto it = listeners.find({key, port}); it != listeners.end()) listener = it->second.lock();
  if (!listener)
    if (auto it = listeners.find({"*", port}); it != listeners.end()) listener = it->second.lock();
  return listener && !listener->is_closed() ? listener : nullptr;
}

void NetState::on_syn(const std::shared_ptr<Pipe>& pipe, const Segment& syn) {
  if (pipe->reverse.lock()) return;  // answered already
  if (!listener_at(pipe->dest, pipe->dest_port)) {
    reset_back(pipe, syn.sender_task);  // nobody listens: ECONNREFUSED at the client
    return;
  }
  // The way back, named as the client dialled the server.
  const std::size_t arrow = pipe->name.find(" -> ");
  auto back = make_pipe(pipe->name.substr(arrow + 4) + " -> " + pipe->name.substr(0, arrow));
  back->to = pipe->from;
  if (auto client = pipe->from.lock()) {
    back->to_node = client->node;
    back->to_host = client->local_key();
  }
  back->from_host = pipe->to_host;
  back->reverse = pipe;
  pipe->reverse = back;
  pipe->handshake = back;
  send(back, Segment::control(Segment::Kind::kSynAck));
}

void NetState::on_ack(const std::shared_ptr<Pipe>& pipe, const Segment& ack) {
  std::shared_ptr<Pipe> back = std::move(pipe->handshake);
  if (!back) return;
  std::shared_ptr<SimListener> listener = listener_at(pipe->dest, pipe->dest_port);
  if (!listener) {
    reset_back(pipe, ack.sender_task);  // the listener closed during the handshake
    return;
  }
  // The server's side belongs to the listener's node: its protocol, the tasks it starts.
  Loop::NodeScope on(loop, listener->node);
  std::shared_ptr<Protocol> protocol;
  try {
    protocol = listener->factory()();
  } catch (...) {
    report_to_loop(loop, "lockstep: the protocol factory of a server failed",
                   std::current_exception());
  }
  // The server's end: named as the client dialled it, talking to the client's address.
  const bool unix_socket = pipe->dest.rfind("unix:", 0) == 0;
  const std::string host = unix_socket ? pipe->dest.substr(5) : pipe->dest;
  Address local{unix_socket ? AddressFamily::kUnix : Address::family_of(host), host,
                pipe->dest_port};
  auto server = std::make_shared<SimStream>(shared_from_this(), local, pipe->source, pipe->dest);
  back->from = server;
  pipe->to = server;
  pipe->to_node = listener->node;
  pipe->to_host = pipe->dest;
  server->set_pipes(back, pipe);
  server->open(/*holds_port=*/false);
  server->set_established();
  // A factory that failed gets the connection closed at once: the client reads EOF.
  const bool failed = !protocol;
  server->start(failed ? std::make_shared<Protocol>() : std::move(protocol));
  if (failed) server->close();
}

std::shared_ptr<Pipe> NetState::way_back(const std::shared_ptr<Pipe>& pipe) {
  if (std::shared_ptr<Pipe> back = pipe->reverse.lock()) return back;
  // No way back yet (a refused SYN): a pipe of its own, as the kernel answers alone.
  // Nothing else holds it: the arrival queue keeps it until what is sent on it arrives.
  auto sender = pipe->from.lock();
  if (!sender) return nullptr;
  const std::size_t arrow = pipe->name.find(" -> ");
  auto back = make_pipe(pipe->name.substr(arrow + 4) + " -> " + pipe->name.substr(0, arrow));
  back->to = sender;
  back->to_node = sender->node;
  back->to_host = sender->local_key();
  back->from_host = pipe->to_host;
  return back;
}

void NetState::reset_back(const std::shared_ptr<Pipe>& pipe, std::uint64_t cause_task) {
  if (std::shared_ptr<Pipe> back = way_back(pipe))
    send(back, Segment::control(Segment::Kind::kRst));
}

}  // namespace lockstep::internal
