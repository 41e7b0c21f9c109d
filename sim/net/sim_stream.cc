#include "sim/net/sim_stream.h"

#include <cerrno>

#include "loop/errors.h"
#include "loop/loop.h"
#include "loop/net/errors.h"

namespace lockstep::internal {

SimStream::SimStream(std::shared_ptr<NetState> net, Address local, Address peer,
                     std::string local_key)
    : net_(std::move(net)),
      local_(std::move(local)),
      peer_(std::move(peer)),
      local_key_(std::move(local_key)) {
  node = net_->loop.current_node();
}

SimStream::~SimStream() = default;

void SimStream::open(bool holds_port) {
  id_ = net_->add(shared_from_this());
  if (!holds_port) return;
  ++net_->stream_ports[{local_key_, local_.port}];
  holds_port_ = true;
}

void SimStream::start(std::shared_ptr<Protocol> protocol) {
  protocol_ = std::move(protocol);
  started_ = true;
  try {
    protocol_->connection_made(shared_from_this());
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
    return;
  }
  // What arrived before connection_made (data right behind the SYN-ACK) is read next.
  if (!received_.empty() || fin_received_ || reset_) schedule_read();
}

void SimStream::schedule_read() {
  if (read_queued_ || closing_ || paused_ || eof_seen_ || conn_lost_ || !started_) return;
  read_queued_ = true;
  loop().call_soon([self = shared_from_this()] {
    self->read_queued_ = false;
    if (!self->paused_ && !self->closing_) self->read_ready();
  });
}

void SimStream::receive(Segment s) {
  switch (s.kind) {
    case Segment::Kind::kSyn:
    case Segment::Kind::kAck:
      return;  // the network answers these (handshake)
    case Segment::Kind::kSynAck:
      if (established_) return;
      established_ = true;
      send_control(Segment::Kind::kAck);  // the handshake's last step: the server accepts
      if (connecting_ && !connecting_->done()) connecting_->set_result();
      connecting_.reset();
      return;
    case Segment::Kind::kRst:
      if (connecting_) {
        // Nobody listens there: connect() fails, as Linux's ECONNREFUSED.
        if (!connecting_->done())
          connecting_->set_exception(
              make_os_error(ECONNREFUSED, "Connect call failed " + peer_.to_string()));
        connecting_.reset();
        return;
      }
      if (reset_ || socket_closed_) return;
      reset_ = true;
      // Linux drops what was not read: the next recv() fails with ECONNRESET.
      if (in_) in_->unread -= std::min(in_->unread, received_.size());
      received_.clear();
      fin_received_ = false;
      if (started_ && !paused_ && !closing_ && !eof_seen_) {
        read_ready();
      } else if (write_buffer_size() != 0 && !conn_lost_) {
        write_ready();  // a pending send notices it
      }
      return;
    case Segment::Kind::kData:
      if (reset_ || eof_seen_) return;
      if (received_.empty())
        received_ = std::move(s.data);  // the common case: no copy
      else
        received_ += s.data;
      break;
    case Segment::Kind::kFin:
      fin_received_ = true;
      break;
  }
  // We are the readiness callback: read now, as _read_ready would.
  if (started_ && !paused_ && !closing_ && !eof_seen_ && !conn_lost_ && !read_queued_) read_ready();
}

void SimStream::read_ready() {
  if (conn_lost_) return;
  if (reset_) {
    fatal_error(
        make_os_error(ECONNRESET, "recv() failed: connection reset by " + peer_.to_string()),
        "Fatal read error on socket transport");
    return;
  }
  if (!received_.empty()) {
    std::string chunk;
    if (received_.size() <= kMaxReadSize) {
      chunk.swap(received_);
    } else {
      chunk = received_.substr(0, kMaxReadSize);
      received_.erase(0, kMaxReadSize);
    }
    if (in_) {
      in_->unread -= std::min(in_->unread, chunk.size());
      if (auto sender = in_->from.lock()) sender->window_opened();
    }
    auto keep = shared_from_this();  // the protocol may drop its last reference
    try {
      protocol_->data_received(chunk);
    } catch (...) {
      fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
      return;
    }
    // Level-triggered: still readable (EOF behind the data) is seen in a later callback.
    if (!received_.empty() || fin_received_) schedule_read();
    return;
  }
  if (fin_received_) on_eof();
}

void SimStream::on_eof() {
  auto keep = shared_from_this();
  eof_seen_ = true;
  bool keep_open = false;
  try {
    keep_open = protocol_->eof_received();
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
    return;
  }
  if (!keep_open) close();  // else half-closed: nothing more to read, writing goes on
}

void SimStream::window_opened() {
  if (write_queued_ || write_buffer_size() == 0 || conn_lost_) return;
  write_queued_ = true;
  loop().call_soon([self = shared_from_this()] {
    self->write_queued_ = false;
    self->write_ready();
  });
}

std::size_t SimStream::send_now(std::string_view data) {
  if (!out_) return 0;
  const std::size_t window = net_->options.window;
  const std::size_t room = out_->unread < window ? window - out_->unread : 0;
  const std::size_t n = std::min(room, data.size());
  if (n == 0) return 0;
  out_->unread += n;
  Segment s;
  s.kind = Segment::Kind::kData;
  s.data.assign(data.substr(0, n));
  net_->send(out_, std::move(s));
  return n;
}

void SimStream::send_control(Segment::Kind kind) {
  if (!out_) return;
  net_->send(out_, Segment::control(kind));
}

void SimStream::write(std::string_view data) {
  if (eof_) throw RuntimeError("lockstep: Cannot call write() after write_eof()");
  if (data.empty()) return;
  if (conn_lost_) {
    if (++conn_lost_ == kWarnAfterLostWrites + 1) {
      report_to_loop(loop(),
                     "lockstep: writes to a lost connection are being dropped "
                     "(socket.send() raised exception)");
    }
    return;
  }
  if (reset_) {
    fatal_error(
        make_os_error(ECONNRESET, "send() failed: connection reset by " + peer_.to_string()),
        "Fatal write error on socket transport");
    return;
  }
  if (write_buffer_size() == 0) {
    data.remove_prefix(send_now(data));
    if (data.empty()) return;
  }
  buffer_.append(data);
  flow_.after_buffer_grew(write_buffer_size(), *protocol_, loop());
}

void SimStream::write_ready() {
  if (conn_lost_ || write_buffer_size() == 0) return;
  if (reset_) {
    buffer_.clear();
    head_ = 0;
    fatal_error(
        make_os_error(ECONNRESET, "send() failed: connection reset by " + peer_.to_string()),
        "Fatal write error on socket transport");
    return;
  }
  const std::size_t n = send_now(std::string_view(buffer_).substr(head_, write_buffer_size()));
  if (n == 0) return;  // the window is still full: the next window_opened() retries
  head_ += n;
  if (head_ == buffer_.size()) {
    buffer_.clear();
    head_ = 0;
  } else if (head_ > buffer_.size() / 2) {
    buffer_.erase(0, head_);  // keep the copy amortised: at most once per half buffer
    head_ = 0;
  }
  auto keep = shared_from_this();
  flow_.after_buffer_shrank(write_buffer_size(), *protocol_, loop());
  if (write_buffer_size() == 0) {
    if (closing_) {
      call_connection_lost(nullptr);
    } else if (eof_ && !fin_sent_) {
      fin_sent_ = true;
      send_control(Segment::Kind::kFin);
    }
  }
}

void SimStream::write_eof() {
  if (closing_ || eof_) return;
  eof_ = true;
  if (write_buffer_size() == 0 && !fin_sent_) {
    fin_sent_ = true;
    send_control(Segment::Kind::kFin);
  }
}

void SimStream::close() {
  if (closing_) return;
  closing_ = true;
  if (write_buffer_size() == 0) {
    ++conn_lost_;
    loop().call_soon([self = shared_from_this()] { self->call_connection_lost(nullptr); });
  }
}

void SimStream::abort() {
  aborted_ = true;
  force_close(nullptr);
}

void SimStream::pause_reading() {
  if (!is_reading()) return;
  paused_ = true;
}

void SimStream::resume_reading() {
  if (closing_ || !paused_) return;
  paused_ = false;
  // As add_reader: a later callback reads what is waiting.
  if (!received_.empty() || fin_received_ || reset_) schedule_read();
}

void SimStream::set_write_buffer_limits(std::optional<std::size_t> high,
                                        std::optional<std::size_t> low) {
  flow_.set_limits(high, low);
  if (protocol_) flow_.after_buffer_grew(write_buffer_size(), *protocol_, loop());
}

void SimStream::fatal_error(std::exception_ptr error, const char* message) {
  // Connection errors are the peer's doing, not a bug (asyncio logs them only in debug
  // mode); anything else (a protocol callback that threw) goes to the exception handler.
  if (!is_os_error(error)) report_to_loop(loop(), std::string("lockstep: ") + message, error);
  force_close(error);
}

void SimStream::force_close(std::exception_ptr error) {
  if (conn_lost_) return;
  buffer_.clear();
  head_ = 0;
  closing_ = true;
  ++conn_lost_;
  loop().call_soon([self = shared_from_this(), error] { self->call_connection_lost(error); });
}

void SimStream::call_connection_lost(std::exception_ptr error) {
  auto keep = shared_from_this();
  std::shared_ptr<Protocol> protocol = std::move(protocol_);
  if (protocol) {
    try {
      protocol->connection_lost(error);
    } catch (...) {
      report_to_loop(loop(), "lockstep: protocol.connection_lost() call failed",
                     std::current_exception());
    }
  }
  close_socket();
  protocol_ = std::make_shared<Protocol>();  // later calls on a lost transport go nowhere
}

void SimStream::close_socket() noexcept {
  if (socket_closed_) return;
  socket_closed_ = true;
  if (established_ && !reset_ && out_ && !net_->shut_down) {
    try {
      // Linux: a socket closed with unread data (or with SO_LINGER 0, as abort) resets
      // the connection; else the peer reads EOF after everything sent.
      if (aborted_ || !received_.empty()) {
        send_control(Segment::Kind::kRst);
      } else if (!fin_sent_) {
        fin_sent_ = true;
        send_control(Segment::Kind::kFin);
      }
    } catch (...) {
      // Sending only allocates: out of memory here leaves the peer without its FIN.
    }
  }
  if (in_) in_->unread -= std::min(in_->unread, received_.size());
  received_.clear();
  release_port();

  net_->remove(id_);  // may drop the last reference but the caller's
}

void SimStream::release_port() noexcept {
  if (!holds_port_) return;
  holds_port_ = false;
  auto it = net_->stream_ports.find({local_key_, local_.port});
  if (it != net_->stream_ports.end() && --it->second == 0) net_->stream_ports.erase(it);
}

void SimStream::abandon() noexcept {
  auto keep = shared_from_this();
  connecting_.reset();
  closing_ = true;
  conn_lost_ = conn_lost_ ? conn_lost_ : 1;
  close_socket();
  protocol_ = std::make_shared<Protocol>();
}

void SimStream::crash() noexcept {
  socket_closed_ = true;  // nothing more leaves it: no FIN, no RST
  release_port();
  drop();
}

void SimStream::drop() noexcept {
  closing_ = true;
  conn_lost_ = conn_lost_ ? conn_lost_ : 1;
  socket_closed_ = true;
  holds_port_ = false;
  connecting_.reset();
  protocol_ = std::make_shared<Protocol>();  // breaks the transport <-> protocol cycle
  out_.reset();
  in_.reset();
}

}  // namespace lockstep::internal
