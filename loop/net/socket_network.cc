#include "loop/net/socket_network.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "loop/io.h"
#include "loop/loop.h"
#include "loop/net/errors.h"
#include "loop/net/socket_ops.h"
#include "loop/net/socket_transport.h"
#include "loop/sleep.h"

namespace lockstep {

namespace internal {

namespace {

std::string socket_error_text(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

// All addresses failed: the one error if they agree, else all of them (asyncio's
// "Multiple exceptions: ...").
[[noreturn]] void rethrow_connect_errors(const std::vector<std::exception_ptr>& errors) {
  bool same = true;
  for (const auto& e : errors) same = same && socket_error_text(e) == socket_error_text(errors[0]);
  if (same) std::rethrow_exception(errors[0]);
  std::string text = "Multiple exceptions: ";
  for (std::size_t i = 0; i < errors.size(); ++i)
    text += (i ? ", " : "") + socket_error_text(errors[i]);
  throw OSError(0, text);
}

// Accepts connections on listening sockets (asyncio's _accept_connection).
class SocketListener final : public Listener,
                             public SocketResource,
                             public std::enable_shared_from_this<SocketListener> {
 public:
  SocketListener(Loop& loop, std::shared_ptr<SocketRegistry> registry, ProtocolFactory factory,
                 int backlog)
      : loop_(loop),
        registry_(std::move(registry)),
        factory_(std::move(factory)),
        backlog_(backlog) {}
  ~SocketListener() override { drop(); }

  void add_socket(int fd, Address bound, bool unlink_on_close) {
    sockets_.push_back({fd, std::move(bound), unlink_on_close});
  }
  void start() {
    registry_id_ = registry_->add(shared_from_this());
    for (auto& s : sockets_) watch(s.fd);
  }

  std::vector<Address> addresses() const override {
    std::vector<Address> out;
    for (const auto& s : sockets_) out.push_back(s.address);
    return out;
  }
  void close() override {
    if (closed_) return;
    auto keep = shared_from_this();
    drop();
    registry_->remove(registry_id_);
  }
  bool is_closed() const noexcept override { return closed_; }

  void drop() noexcept override {
    if (closed_) return;
    closed_ = true;
    for (auto& s : sockets_) {
      close_socket(loop_, s.fd);
      // A unix socket's file would refuse the next bind: remove it (asyncio 3.13 does).
      if (s.unlink_on_close) ::unlink(s.address.host.c_str());
    }
    sockets_.clear();
  }

 private:
  struct Socket {
    int fd;
    Address address;
    bool unlink_on_close;
  };

  void watch(int fd) {
    loop_.add_reader(fd, [weak = weak_from_this(), fd] {
      if (auto self = weak.lock()) self->accept_ready(fd);
    });
  }

  void accept_ready(int fd) {
    // Up to `backlog` connections per readiness report, as asyncio.
    for (int i = 0; i < backlog_ && !closed_; ++i) {
      const int conn = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (conn < 0) {
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return;
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
          // Out of fds: stop accepting for a second rather than spin (asyncio does this).
          report_to_loop(loop_, "lockstep: socket.accept() out of system resource",
                         make_os_error(err, "accept() failed"));
          loop_.remove_reader(fd);
          loop_.call_later(std::chrono::seconds(1), [weak = weak_from_this(), fd] {
            if (auto self = weak.lock(); self && !self->closed_) self->watch(fd);
          });
          return;
        }
        continue;  // ECONNABORTED and friends: that peer is gone; accept the next
      }
      accept_one(conn);
    }
  }

  void accept_one(int conn) {
    const int one = 1;
    ::setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on unix
    std::shared_ptr<Protocol> protocol;
    try {
      protocol = factory_();
    } catch (...) {
      report_to_loop(loop_, "lockstep: the protocol factory of a server failed",
                     std::current_exception());
    }
    if (!protocol) {
      ::close(conn);
      return;
    }
    auto transport = std::make_shared<SocketTransport>(loop_, registry_, conn, std::move(protocol));
    transport->start();
  }

  Loop& loop_;
  std::shared_ptr<SocketRegistry> registry_;
  std::uint64_t registry_id_ = 0;
  ProtocolFactory factory_;
  int backlog_;
  std::vector<Socket> sockets_;
  bool closed_ = false;
};

// If `path` is a stale unix socket, remove it so bind() can take the name (asyncio's
// create_unix_server does the same); anything else there is left for bind to refuse.
void remove_stale_unix_socket(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

}  // namespace
}  // namespace internal

SocketNetwork::SocketNetwork(Loop& loop)
    : loop_(loop), registry_(std::make_shared<internal::SocketRegistry>()) {}

SocketNetwork::~SocketNetwork() { shutdown(); }

void SocketNetwork::shutdown() noexcept {
  if (registry_->shut_down) return;
  registry_->shut_down = true;
  auto open = std::move(registry_->open);
  registry_->open.clear();
  for (auto& [id, resource] : open) resource->drop();
}

Coro<std::shared_ptr<Transport>> SocketNetwork::connect(Address remote,
                                                        std::shared_ptr<Protocol> protocol,
                                                        ConnectOptions options) {
  if (registry_->shut_down) throw RuntimeError("lockstep: the loop's network is shut down");
  const std::vector<internal::SockAddr> targets =
      co_await internal::resolve(remote, SOCK_STREAM, false);
  std::vector<std::exception_ptr> errors;
  for (const internal::SockAddr& target : targets) {
    internal::SocketGuard sock(
        loop_, ::socket(target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (sock.get() < 0) {
      errors.push_back(
          internal::last_os_error("socket() for " + target.address.to_string() + " failed"));
      continue;
    }
    if (options.local) {
      std::vector<internal::SockAddr> local =
          co_await internal::resolve(*options.local, SOCK_STREAM, true);
      if (local.empty() || ::bind(sock.get(), local[0].get(), local[0].length) != 0) {
        errors.push_back(internal::last_os_error("error while attempting to bind on address " +
                                                 options.local->to_string()));
        continue;
      }
    }
    int err = 0;
    if (::connect(sock.get(), target.get(), target.length) != 0) {
      err = errno;
      if (err == EINPROGRESS || err == EINTR) {
        co_await wait_writable(sock.get());
        socklen_t len = sizeof err;
        ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
    if (err != 0) {
      errors.push_back(make_os_error(err, "Connect call failed " + target.address.to_string()));
      continue;
    }
    if (target.family != AF_UNIX) {
      const int one = 1;
      ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    auto transport = std::make_shared<internal::SocketTransport>(loop_, registry_, sock.release(),
                                                                 std::move(protocol));
    transport->start();
    co_return transport;
  }
  if (errors.empty()) throw OSError(0, "getaddrinfo(" + remote.host + ") returned no addresses");
  internal::rethrow_connect_errors(errors);
}

Coro<std::shared_ptr<Listener>> SocketNetwork::listen(Address local, ProtocolFactory factory,
                                                      ListenOptions options) {
  if (registry_->shut_down) throw RuntimeError("lockstep: the loop's network is shut down");
  const std::vector<internal::SockAddr> binds =
      co_await internal::resolve(local, SOCK_STREAM, true);
  auto listener = std::make_shared<internal::SocketListener>(loop_, registry_, std::move(factory),
                                                             options.backlog);
  for (const internal::SockAddr& where : binds) {
    internal::SocketGuard sock(
        loop_, ::socket(where.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (sock.get() < 0) std::rethrow_exception(internal::last_os_error("socket() failed"));
    const int one = 1;
    if (where.family != AF_UNIX) {
      if (options.reuse_address)
        ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (options.reuse_port) ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
      // As asyncio: an IPv6 socket serves IPv6 only, so "localhost" can bind both families.
      if (where.family == AF_INET6)
        ::setsockopt(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    } else {
      internal::remove_stale_unix_socket(where.address.host);
    }
    if (::bind(sock.get(), where.get(), where.length) != 0) {
      const int err = errno;
      throw OSError(err, "error while attempting to bind on address " + where.address.to_string());
    }
    if (::listen(sock.get(), options.backlog) != 0)
      std::rethrow_exception(internal::last_os_error("listen() failed"));
    std::optional<Address> bound = internal::local_address(sock.get());
    if (where.family == AF_UNIX || !bound) bound = where.address;
    listener->add_socket(sock.release(), *bound, where.family == AF_UNIX);
  }
  listener->start();
  co_return listener;
}

}  // namespace lockstep
