#include "loop/net/socket_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "loop/errors.h"
#include "loop/loop.h"
#include "loop/net/errors.h"
#include "loop/net/socket_ops.h"

namespace lockstep::internal {

SocketTransport::SocketTransport(Loop& loop, std::shared_ptr<SocketRegistry> registry, int fd,
                                 std::shared_ptr<Protocol> protocol)
    : loop_(loop),
      registry_(std::move(registry)),
      fd_(fd),
      protocol_(std::move(protocol)),
      peer_(peer_address(fd)),
      local_(local_address(fd)) {}

SocketTransport::~SocketTransport() { close_fd(); }

void SocketTransport::start() {
  registry_id_ = registry_->add(shared_from_this());
  // As asyncio: connection_made, then reading starts.
  try {
    protocol_->connection_made(shared_from_this());
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
    return;
  }
  if (!closing_ && !paused_) add_reader();
}

void SocketTransport::add_reader() {
  if (reader_on_ || fd_ < 0) return;
  reader_on_ = true;
  loop_.add_reader(fd_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->read_ready();
  });
}

void SocketTransport::add_writer() {
  if (writer_on_ || fd_ < 0) return;
  writer_on_ = true;
  loop_.add_writer(fd_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->write_ready();
  });
}

void SocketTransport::read_ready() {
  if (conn_lost_) return;
  char* buf = registry_->buffer();
  const ssize_t n = ::recv(fd_, buf, SocketRegistry::kReadSize, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    fatal_error(last_os_error("recv() failed"), "Fatal read error on socket transport");
    return;
  }
  if (n == 0) {
    on_eof();
    return;
  }
  auto keep = shared_from_this();  // the protocol may drop its last reference
  try {
    protocol_->data_received(std::string_view(buf, static_cast<std::size_t>(n)));
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
  }
}

void SocketTransport::on_eof() {
  auto keep = shared_from_this();
  bool keep_open = false;
  try {
    keep_open = protocol_->eof_received();
  } catch (...) {
    fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
    return;
  }
  if (keep_open) {
    // Half-closed: nothing more to read, but writing goes on.
    if (reader_on_) {
      reader_on_ = false;
      loop_.remove_reader(fd_);
    }
  } else {
    close();
  }
}

void SocketTransport::write(std::string_view data) {
  if (eof_) throw RuntimeError("lockstep: Cannot call write() after write_eof()");
  if (data.empty()) return;
  if (conn_lost_) {
    if (++conn_lost_ == kWarnAfterLostWrites + 1) {
      report_to_loop(loop_,
                     "lockstep: writes to a lost connection are being dropped "
                     "(socket.send() raised exception)");
    }
    return;
  }
  if (write_buffer_size() == 0) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fatal_error(last_os_error("send() failed"), "Fatal write error on socket transport");
        return;
      }
    } else {
      data.remove_prefix(static_cast<std::size_t>(n));
      if (data.empty()) return;
    }
    add_writer();
  }
  buffer_.append(data);
  flow_.after_buffer_grew(write_buffer_size(), *protocol_, loop_);
}

void SocketTransport::write_ready() {
  if (conn_lost_ || write_buffer_size() == 0) return;
  const ssize_t n = ::send(fd_, buffer_.data() + head_, write_buffer_size(), MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    auto error = last_os_error("send() failed");
    if (writer_on_) {
      writer_on_ = false;
      loop_.remove_writer(fd_);
    }
    buffer_.clear();
    head_ = 0;
    fatal_error(error, "Fatal write error on socket transport");
    return;
  }
  head_ += static_cast<std::size_t>(n);
  if (head_ == buffer_.size()) {
    buffer_.clear();
    head_ = 0;
  } else if (head_ > buffer_.size() / 2) {
    buffer_.erase(0, head_);  // keep the copy amortised: at most once per half buffer
    head_ = 0;
  }
  auto keep = shared_from_this();
  flow_.after_buffer_shrank(write_buffer_size(), *protocol_, loop_);
  if (write_buffer_size() == 0) {
    if (writer_on_) {
      writer_on_ = false;
      loop_.remove_writer(fd_);
    }
    if (closing_) {
      call_connection_lost(nullptr);
    } else if (eof_) {
      ::shutdown(fd_, SHUT_WR);
    }
  }
}

void SocketTransport::write_eof() {
  if (closing_ || eof_) return;
  eof_ = true;
  if (write_buffer_size() == 0) ::shutdown(fd_, SHUT_WR);
}

void SocketTransport::close() {
  if (closing_) return;
  closing_ = true;
  if (reader_on_) {
    reader_on_ = false;
    loop_.remove_reader(fd_);
  }
  if (write_buffer_size() == 0) {
    ++conn_lost_;
    if (writer_on_) {
      writer_on_ = false;
      loop_.remove_writer(fd_);
    }
    loop_.call_soon([self = shared_from_this()] { self->call_connection_lost(nullptr); });
  }
}

void SocketTransport::abort() {
  // Unlike asyncio (which just closes), abort resets the connection: SO_LINGER 0 makes
  // close() send RST, so the peer's next read fails with ConnectionResetError, as it
  // does on the simulated network. A dropped connection looks the same on both.
  if (fd_ >= 0 && !conn_lost_) {
    const linger reset{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  }
  force_close(nullptr);
}

void SocketTransport::pause_reading() {
  if (!is_reading()) return;
  paused_ = true;
  if (reader_on_) {
    reader_on_ = false;
    loop_.remove_reader(fd_);
  }
}

void SocketTransport::resume_reading() {
  if (closing_ || !paused_) return;
  paused_ = false;
  add_reader();
}

void SocketTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                              std::optional<std::size_t> low) {
  flow_.set_limits(high, low);
  flow_.after_buffer_grew(write_buffer_size(), *protocol_, loop_);
}

void SocketTransport::fatal_error(std::exception_ptr error, const char* message) {
  // Connection errors are the peer's doing, not a bug: asyncio logs them only in debug
  // mode. Anything else (a protocol callback that threw) goes to the exception handler.
  if (!is_os_error(error)) {
    report_to_loop(loop_, std::string("lockstep: ") + message, error);
  }
  force_close(error);
}

void SocketTransport::force_close(std::exception_ptr error) {
  if (conn_lost_) return;
  if (write_buffer_size() != 0) {
    buffer_.clear();
    head_ = 0;
  }
  if (writer_on_) {
    writer_on_ = false;
    loop_.remove_writer(fd_);
  }
  if (!closing_) {
    closing_ = true;
    if (reader_on_) {
      reader_on_ = false;
      loop_.remove_reader(fd_);
    }
  }
  ++conn_lost_;
  loop_.call_soon([self = shared_from_this(), error] { self->call_connection_lost(error); });
}

void SocketTransport::call_connection_lost(std::exception_ptr error) {
  auto keep = shared_from_this();
  std::shared_ptr<Protocol> protocol = std::move(protocol_);
  if (protocol) {
    try {
      protocol->connection_lost(error);
    } catch (...) {
      report_to_loop(loop_, "lockstep: protocol.connection_lost() call failed",
                     std::current_exception());
    }
  }
  close_fd();
  protocol_ = std::make_shared<Protocol>();  // later calls on a lost transport go nowhere
  registry_->remove(registry_id_);           // may drop the last reference but `keep`
}

void SocketTransport::close_fd() noexcept {
  if (fd_ < 0) return;
  reader_on_ = writer_on_ = false;
  close_socket(loop_, fd_);
  fd_ = -1;
}

void SocketTransport::drop() noexcept {
  closing_ = true;
  conn_lost_ = conn_lost_ ? conn_lost_ : 1;
  close_fd();
  protocol_ = std::make_shared<Protocol>();  // breaks the transport <-> protocol cycle
}

}  // namespace lockstep::internal
