// UDP endpoints on real sockets (a port of asyncio's _SelectorDatagramTransport).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

#include "loop/errors.h"
#include "loop/loop.h"
#include "loop/net/errors.h"
#include "loop/net/socket_network.h"
#include "loop/net/socket_ops.h"
#include "loop/net/socket_transport.h"

namespace lockstep {

namespace internal {
namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

class SocketDatagramTransport final : public DatagramTransport,
                                      public SocketResource,
                                      public std::enable_shared_from_this<SocketDatagramTransport> {
 public:
  SocketDatagramTransport(Loop& loop, std::shared_ptr<SocketRegistry> registry, int fd,
                          std::shared_ptr<DatagramProtocol> protocol, std::optional<SockAddr> peer)
      : loop_(loop),
        registry_(std::move(registry)),
        fd_(fd),
        protocol_(std::move(protocol)),
        peer_(std::move(peer)),
        local_(local_address(fd)) {}
  ~SocketDatagramTransport() override { close_fd(); }

  void start() {
    registry_id_ = registry_->add(shared_from_this());
    try {
      protocol_->connection_made(shared_from_this());
    } catch (...) {
      fatal_error(std::current_exception(), "Fatal error: protocol.connection_made() call failed.");
      return;
    }
    if (closing_) return;
    loop_.add_reader(fd_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->read_ready();
    });
    reader_on_ = true;
  }

  void sendto(std::string_view data, std::optional<Address> to) override {
    const SockAddr* target = nullptr;
    std::optional<SockAddr> resolved;
    if (to) {
      if (peer_ && *to != peer_->address) {
        throw std::invalid_argument("lockstep: Invalid address: must be none or " +
                                    peer_->address.to_string() + " (the endpoint is connected)");
      }
      if (!peer_) {
        resolved = numeric_sockaddr(*to);
        if (!resolved) {
          throw std::invalid_argument("lockstep: sendto() needs a numeric address, not '" +
                                      to->to_string() + "' (resolve names first)");
        }
        target = &*resolved;
      }
    } else if (!peer_) {
      throw std::invalid_argument(
          "lockstep: sendto() without an address on an unconnected endpoint");
    }
    if (conn_lost_) {
      ++conn_lost_;
      return;
    }
    if (queue_.empty()) {
      if (send_one(data, target)) return;
      // Would block: queue it, and send when writable.
      if (!writer_on_) {
        writer_on_ = true;
        loop_.add_writer(fd_, [weak = weak_from_this()] {
          if (auto self = weak.lock()) self->write_ready();
        });
      }
    }
    queue_.push_back({std::string(data), target ? std::optional(*target) : std::nullopt});
    buffered_ += data.size();
    flow_.after_buffer_grew(buffered_, *protocol_, loop_);
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    remove_reader();
    if (queue_.empty()) {
      ++conn_lost_;
      remove_writer();
      loop_.call_soon([self = shared_from_this()] { self->call_connection_lost(nullptr); });
    }
  }
  void abort() override { force_close(nullptr); }
  bool is_closing() const noexcept override { return closing_; }
  std::size_t write_buffer_size() const noexcept override { return buffered_; }
  std::optional<Address> peername() const override {
    return peer_ ? std::optional(peer_->address) : std::nullopt;
  }
  std::optional<Address> sockname() const override { return local_; }
  int fileno() const noexcept override { return fd_; }

  void drop() noexcept override {
    closing_ = true;
    conn_lost_ = conn_lost_ ? conn_lost_ : 1;
    close_fd();
    protocol_ = std::make_shared<DatagramProtocol>();
  }

 private:
  struct Pending {
    std::string data;
    std::optional<SockAddr> to;
  };

  // Sends now; false if the kernel would block. A send error goes to error_received.
  bool send_one(std::string_view data, const SockAddr* to) {
    const ssize_t n =
        to ? ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, to->get(), to->length)
           : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) return true;
    if (would_block(errno)) return false;
    error_received(last_os_error("sendto() failed"));
    return true;
  }

  void read_ready() {
    // Up to kBatch datagrams per readiness report (asyncio reads one): a burst is taken
    // off the kernel's buffer before it overflows, in one loop iteration.
    auto keep = shared_from_this();
    for (int i = 0; i < kBatch && !conn_lost_ && fd_ >= 0; ++i)
      if (!read_one()) break;
  }

  static constexpr int kBatch = 32;

  // False when there is nothing more to read now.
  bool read_one() {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    char* buf = registry_->buffer();
    const ssize_t n = ::recvfrom(fd_, buf, SocketRegistry::kReadSize, 0,
                                 reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) {
      if (would_block(errno)) return false;
      error_received(last_os_error("recvfrom() failed"));
      return false;
    }
    try {
      protocol_->datagram_received(std::string_view(buf, static_cast<std::size_t>(n)),
                                   to_address(reinterpret_cast<sockaddr*>(&from), len));
    } catch (...) {
      fatal_error(std::current_exception(),
                  "Fatal error: protocol.datagram_received() call failed.");
      return false;
    }
    return true;
  }

  void write_ready() {
    auto keep = shared_from_this();
    while (!queue_.empty() && !conn_lost_) {
      Pending& p = queue_.front();
      if (!send_one(p.data, p.to ? &*p.to : nullptr)) break;
      buffered_ -= p.data.size();
      queue_.pop_front();
    }
    flow_.after_buffer_shrank(buffered_, *protocol_, loop_);
    if (queue_.empty()) {
      remove_writer();
      if (closing_ && !conn_lost_) {
        ++conn_lost_;
        call_connection_lost(nullptr);
      }
    }
  }

  void error_received(std::exception_ptr error) {
    try {
      protocol_->error_received(error);
    } catch (...) {
      fatal_error(std::current_exception(), "Fatal error: protocol.error_received() call failed.");
    }
  }

  void fatal_error(std::exception_ptr error, const char* message) {
    report_to_loop(loop_, std::string("lockstep: ") + message, error);
    force_close(error);
  }

  void force_close(std::exception_ptr error) {
    if (conn_lost_) return;
    queue_.clear();
    buffered_ = 0;
    remove_writer();
    closing_ = true;
    remove_reader();
    ++conn_lost_;
    loop_.call_soon([self = shared_from_this(), error] { self->call_connection_lost(error); });
  }

  void call_connection_lost(std::exception_ptr error) {
    auto keep = shared_from_this();
    std::shared_ptr<DatagramProtocol> protocol = std::move(protocol_);
    protocol_ = std::make_shared<DatagramProtocol>();
    try {
      if (protocol) protocol->connection_lost(error);
    } catch (...) {
      report_to_loop(loop_, "lockstep: protocol.connection_lost() call failed",
                     std::current_exception());
    }
    close_fd();
    registry_->remove(registry_id_);
  }

  void remove_reader() {
    if (reader_on_) loop_.remove_reader(fd_);
    reader_on_ = false;
  }
  void remove_writer() {
    if (writer_on_) loop_.remove_writer(fd_);
    writer_on_ = false;
  }
  void close_fd() noexcept {
    if (fd_ < 0) return;
    reader_on_ = writer_on_ = false;
    close_socket(loop_, fd_);
    fd_ = -1;
  }

  Loop& loop_;
  std::shared_ptr<SocketRegistry> registry_;
  std::uint64_t registry_id_ = 0;
  int fd_;
  std::shared_ptr<DatagramProtocol> protocol_;
  std::optional<SockAddr> peer_;
  std::optional<Address> local_;
  std::deque<Pending> queue_;
  std::size_t buffered_ = 0;
  WriteFlowControl flow_;
  int conn_lost_ = 0;
  bool closing_ = false;
  bool reader_on_ = false;
  bool writer_on_ = false;
};

}  // namespace
}  // namespace internal

Coro<std::shared_ptr<DatagramTransport>> SocketNetwork::open_datagram(
    std::shared_ptr<DatagramProtocol> protocol, DatagramOptions options) {
  if (registry_->shut_down) throw RuntimeError("lockstep: the loop's network is shut down");
  if (!options.local && !options.remote) {
    throw std::invalid_argument("lockstep: a datagram endpoint needs a local or a remote address");
  }
  std::optional<internal::SockAddr> local, remote;
  if (options.remote) {
    auto r = co_await internal::resolve(*options.remote, SOCK_DGRAM, false);
    if (r.empty())
      throw OSError(0, "getaddrinfo(" + options.remote->host + ") returned no addresses");
    remote = r[0];
  }
  if (options.local) {
    auto l = co_await internal::resolve(*options.local, SOCK_DGRAM, true);
    // Same family as the remote one, if any.
    for (auto& a : l)
      if (!local && (!remote || a.family == remote->family)) local = a;
    if (!local) throw OSError(EAFNOSUPPORT, "no local address of the remote address's family");
  }
  const int family = remote ? remote->family : local->family;
  internal::SocketGuard sock(loop_, ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) std::rethrow_exception(internal::last_os_error("socket() failed"));
  const int one = 1;
  if (options.reuse_port) ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (options.allow_broadcast) ::setsockopt(sock.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  if (local && ::bind(sock.get(), local->get(), local->length) != 0) {
    const int err = errno;
    throw OSError(err, "error while attempting to bind on address " + local->address.to_string());
  }
  if (remote && ::connect(sock.get(), remote->get(), remote->length) != 0) {
    const int err = errno;
    throw OSError(err, "connect to " + remote->address.to_string() + " failed");
  }
  auto transport = std::make_shared<internal::SocketDatagramTransport>(
      loop_, registry_, sock.release(), std::move(protocol), remote);
  transport->start();
  co_return transport;
}

}  // namespace lockstep
