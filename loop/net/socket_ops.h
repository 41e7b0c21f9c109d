// Small pieces of BSD-socket plumbing shared by the real transports (internal).
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/net/address.h"

namespace lockstep {
class Loop;
}

namespace lockstep::internal {

// A resolved socket address.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
  Address address;  // the same, numeric
  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

// The socket addresses for `address`: itself if numeric or a unix path; else
// getaddrinfo's answers (IPv4 first, then IPv6, duplicates dropped), resolved on the
// default executor. passive: for bind (listen). Throws OSError (gai_category) if the
// name does not resolve, std::invalid_argument for a unix path that does not fit.
Coro<std::vector<SockAddr>> resolve(Address address, int socktype, bool passive);
// The numeric form of a numeric or unix address, without resolving; nullopt if named.
std::optional<SockAddr> numeric_sockaddr(const Address& address);

Address to_address(const sockaddr* sa, socklen_t length);
std::optional<Address> local_address(int fd);
std::optional<Address> peer_address(int fd);

// The errno of the last failed call as an OSError subclass ("connect to X failed").
std::exception_ptr last_os_error(const std::string& context);

// Removes the loop's watches on `fd`, then closes it (a closed fd must not stay watched:
// its number is reused by the next socket).
void close_socket(Loop& loop, int fd) noexcept;

// Closes its socket (with close_socket) unless released: a cancelled connect or a
// failed setup leaves nothing behind.
class SocketGuard {
 public:
  SocketGuard(Loop& loop, int fd) noexcept : loop_(&loop), fd_(fd) {}
  SocketGuard(const SocketGuard&) = delete;
  SocketGuard& operator=(const SocketGuard&) = delete;
  ~SocketGuard() {
    if (fd_ >= 0) close_socket(*loop_, fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  Loop* loop_;
  int fd_;
};

}  // namespace lockstep::internal
