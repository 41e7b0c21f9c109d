// Where a socket is: an IP address and port, a unix socket's path, or a simulated host's
// name and port.
//
//   lockstep::Address a = lockstep::Address::parse("127.0.0.1:8080");   // {kIPv4, ...}
//   lockstep::Address b{lockstep::AddressFamily::kIPv6, "::1", 0};      // port 0: the
//                                                                      // kernel picks
//   std::cout << b.to_string();                                         // "[::1]:0"
//
// Under simulation host names are names you choose ("server", "db-2"): nothing is
// resolved and nothing real is touched. On real sockets a host that is not a numeric
// address is resolved with getaddrinfo, off the loop's thread (as asyncio does).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace lockstep {

enum class AddressFamily : std::uint8_t {
  kIPv4,   // "127.0.0.1"
  kIPv6,   // "::1" (written "[::1]:port")
  kUnix,   // a path; no port
  kNamed,  // a host name not (yet) resolved, or a simulated host ("server")
};

struct Address {
  AddressFamily family = AddressFamily::kNamed;
  std::string host;        // numeric address, host name, or unix socket path
  std::uint16_t port = 0;  // 0 for kUnix

  // "host:port" or "[v6]:port"; a unix path as is. Throws std::invalid_argument naming
  // the text if it has no port, a port past 65535 or junk after it. The family is
  // kIPv4/kIPv6 for numeric hosts, kNamed otherwise.
  static Address parse(std::string_view text);
  // The family of `host` as written: kIPv4 or kIPv6 for a numeric address, else kNamed.
  static AddressFamily family_of(std::string_view host) noexcept;

  // "127.0.0.1:80", "[::1]:80", "/run/x.sock", "server:7000".
  std::string to_string() const;

  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Address& a) { return os << a.to_string(); }

}  // namespace lockstep
