#include "sim/net/sim_datagram.h"

#include <cerrno>
#include <stdexcept>

#include "loop/loop.h"
#include "loop/net/errors.h"

namespace lockstep::internal {

namespace {
// Names compare as written: "127.0.0.1:53" and "localhost:53" are different hosts here.
bool same_place(const Address& a, const Address& b) {
  return NetState::key(a) == NetState::key(b) && a.port == b.port;
}
}  // namespace

void SimDatagram::start() {
  id_ = net_->add(shared_from_this());
  net_->endpoints[{local_key_, local_.port}] = weak_from_this();
  holds_port_ = true;
  try {
    protocol_->connection_made(shared_from_this());
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
  }
}

void SimDatagram::sendto(std::string_view data, std::optional<Address> to) {
  if (to) {
    if (peer_ && !same_place(*to, *peer_)) {
      throw std::invalid_argument("lockstep: Invalid address: must be none or " +
                                  peer_->to_string() + " (the endpoint is connected)");
    }
  } else if (!peer_) {
    throw std::invalid_argument("lockstep: sendto() without an address on an unconnected endpoint");
  }
  if (conn_lost_) {
    ++conn_lost_;
    return;
  }
  const Address& dest = to ? *to : *peer_;
  auto m = std::make_shared<DatagramMessage>();
  m->data.assign(data);
  m->from = local_;
  // Bound to a wildcard: the datagram leaves from a real address, as Linux fills it in:
  // the node's host (its key), a loopback name it is sent to, else "client".
  if (NetState::is_wildcard(local_.host)) {
    m->from.host = local_key_ != "*"                  ? local_key_
                   : NetState::is_loopback(dest.host) ? dest.host
                                                      : std::string("client");
    m->from.family = Address::family_of(m->from.host);
  }
  m->dest = net_->key_here(dest);
  m->from_host = local_key_;
  m->dest_port = dest.port;
  m->sender = weak_from_this();
  m->link = local_.to_string() + " -> " + dest.to_string();
  net_->send(std::move(m));
}

void SimDatagram::receive(const DatagramMessage& m) {
  if (closing_ || conn_lost_) return;  // a closing endpoint reads no more
  if (m.port_unreachable) {
    // Linux reports ICMP port unreachable only on a connected socket: ECONNREFUSED.
    try {
      protocol_->error_received(make_os_error(ECONNREFUSED, "sendto() to " + m.link + " failed"));
    } catch (...) {
      fatal_error(std::current_exception(), "Fatal error: protocol.error_received() call failed.");
    }
    return;
  }
  // A connected socket takes datagrams from its peer only.
  if (peer_ && !same_place(m.from, *peer_)) return;
  auto keep = shared_from_this();
  try {
    protocol_->datagram_received(m.data, m.from);
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.datagram_received() call failed.");
  }
}

void SimDatagram::close() {
  if (closing_) return;
  closing_ = true;
  ++conn_lost_;
  loop().call_soon([self = shared_from_this()] { self->call_connection_lost(nullptr); });
}

void SimDatagram::abort() { force_close(nullptr); }

void SimDatagram::fatal_error(std::exception_ptr error, const char* message) {
  report_to_loop(loop(), std::string("lockstep: ") + message, error);
  force_close(error);
}

void SimDatagram::force_close(std::exception_ptr error) {
  if (conn_lost_) return;
  closing_ = true;
  ++conn_lost_;
  loop().call_soon([self = shared_from_this(), error] { self->call_connection_lost(error); });
}

void SimDatagram::call_connection_lost(std::exception_ptr error) {
  auto keep = shared_from_this();
  std::shared_ptr<DatagramProtocol> protocol = std::move(protocol_);
  protocol_ = std::make_shared<DatagramProtocol>();
  try {
    if (protocol) protocol->connection_lost(error);
  } catch (...) {
    report_to_loop(loop(), "lockstep: protocol.connection_lost() call failed",
                   std::current_exception());
  }
  release_port();
  net_->remove(id_);
}

void SimDatagram::release_port() noexcept {
  if (!holds_port_) return;
  holds_port_ = false;
  auto it = net_->endpoints.find({local_key_, local_.port});
  if (it != net_->endpoints.end() && it->second.lock().get() == this) net_->endpoints.erase(it);
}

void SimDatagram::crash() noexcept {
  release_port();
  drop();
}

void SimDatagram::drop() noexcept {
  closing_ = true;
  conn_lost_ = conn_lost_ ? conn_lost_ : 1;
  holds_port_ = false;
  protocol_ = std::make_shared<DatagramProtocol>();
}

}  // namespace lockstep::internal
