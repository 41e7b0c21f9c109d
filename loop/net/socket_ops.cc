#include "loop/net/socket_ops.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "loop/loop.h"
#include "loop/net/errors.h"
#include "loop/run_in_executor.h"

namespace lockstep::internal {

std::optional<SockAddr> numeric_sockaddr(const Address& address) {
  SockAddr out;
  out.address = address;
  if (address.family == AddressFamily::kUnix) {
    auto* un = reinterpret_cast<sockaddr_un*>(&out.storage);
    if (address.host.size() >= sizeof(un->sun_path)) {
      throw std::invalid_argument("lockstep: unix socket path longer than " +
                                  std::to_string(sizeof(un->sun_path) - 1) +
                                  " bytes: " + address.host);
    }
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address.host.c_str(), address.host.size() + 1);
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.host.size() + 1);
    out.family = AF_UNIX;
    return out;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (inet_pton(AF_INET, address.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port);
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
    out.address.family = AddressFamily::kIPv4;
    return out;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET6, address.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(address.port);
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    out.address.family = AddressFamily::kIPv6;
    return out;
  }
  return std::nullopt;
}

namespace {

// getaddrinfo, blocking: runs on an executor thread.
std::vector<SockAddr> blocking_getaddrinfo(Address address, int socktype, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* list = nullptr;
  const std::string port = std::to_string(address.port);
  if (int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    if (rc == EAI_SYSTEM)
      std::rethrow_exception(last_os_error("getaddrinfo(" + address.host + ")"));
    throw OSError(std::error_code(rc, gai_category()), "getaddrinfo(" + address.host + ") failed");
  }
  std::vector<SockAddr> out;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    SockAddr s;
    std::memcpy(&s.storage, ai->ai_addr, ai->ai_addrlen);
    s.length = static_cast<socklen_t>(ai->ai_addrlen);
    s.family = ai->ai_family;
    s.address = to_address(ai->ai_addr, s.length);
    if (std::none_of(out.begin(), out.end(),
                     [&](const SockAddr& o) { return o.address == s.address; }))
      out.push_back(s);
  }
  ::freeaddrinfo(list);
  // IPv4 first: the order stays the same from run to run whatever the resolver returns.
  std::stable_sort(out.begin(), out.end(), [](const SockAddr& a, const SockAddr& b) {
    return a.family == AF_INET && b.family != AF_INET;
  });
  return out;
}

}  // namespace

Coro<std::vector<SockAddr>> resolve(Address address, int socktype, bool passive) {
  if (auto numeric = numeric_sockaddr(address)) co_return std::vector<SockAddr>{*numeric};
  co_return co_await to_thread(blocking_getaddrinfo, address, socktype, passive);
}

Address to_address(const sockaddr* sa, socklen_t length) {
  char text[INET6_ADDRSTRLEN] = {};
  switch (sa->sa_family) {
    case AF_INET: {
      auto* v4 = reinterpret_cast<const sockaddr_in*>(sa);
      inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      return {AddressFamily::kIPv4, text, ntohs(v4->sin_port)};
    }
    case AF_INET6: {
      auto* v6 = reinterpret_cast<const sockaddr_in6*>(sa);
      inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      return {AddressFamily::kIPv6, text, ntohs(v6->sin6_port)};
    }
    case AF_UNIX: {
      auto* un = reinterpret_cast<const sockaddr_un*>(sa);
      const std::size_t max =
          length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
      return {AddressFamily::kUnix, std::string(un->sun_path, strnlen(un->sun_path, max)), 0};
    }
    default:
      return {AddressFamily::kNamed, "family " + std::to_string(sa->sa_family), 0};
  }
}

std::optional<Address> local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return to_address(reinterpret_cast<sockaddr*>(&ss), len);
}

std::optional<Address> peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  return to_address(reinterpret_cast<sockaddr*>(&ss), len);
}

std::exception_ptr last_os_error(const std::string& context) {
  const int err = errno;
  return make_os_error(err, context);
}

void close_socket(Loop& loop, int fd) noexcept {
  loop.remove_reader(fd);
  loop.remove_writer(fd);
  ::close(fd);
}

}  // namespace lockstep::internal
