#include "loop/net/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

namespace lockstep {

AddressFamily Address::family_of(std::string_view host) noexcept {
  std::string text(host);
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return AddressFamily::kIPv4;
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return AddressFamily::kIPv6;
  return AddressFamily::kNamed;
}

Address Address::parse(std::string_view text) {
  auto fail = [&](const char* why) {
    throw std::invalid_argument("lockstep: bad address '" + std::string(text) + "': " + why);
  };
  if (!text.empty() && text.front() == '/') return {AddressFamily::kUnix, std::string(text), 0};
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) fail("no ']' after an IPv6 address");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') fail("expected ':port' after ']'");
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) fail("expected host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) fail("write an IPv6 address as [addr]:port");
  }
  if (host.empty()) fail("empty host");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    fail("the port must be a number from 0 to 65535");
  Address a{family_of(host), std::string(host), static_cast<std::uint16_t>(value)};
  if (text.front() == '[' && a.family != AddressFamily::kIPv6) fail("not an IPv6 address in []");
  return a;
}

std::string Address::to_string() const {
  switch (family) {
    case AddressFamily::kUnix:
      return host;
    case AddressFamily::kIPv6:
      return "[" + host + "]:" + std::to_string(port);
    default:
      return host + ":" + std::to_string(port);
  }
}

}  // namespace lockstep
