// The errors of the network API, shaped like asyncio's (and Python's OSError family).
//
//   try {
//     auto [reader, writer] = co_await lockstep::open_connection("127.0.0.1", port);
//     std::string header = co_await reader.readexactly(16);
//   } catch (const lockstep::ConnectionRefusedError& e) {   // nobody listens there
//     log(e.what(), e.errno_value());                       // ECONNREFUSED
//   } catch (const lockstep::IncompleteReadError& e) {       // EOF before 16 bytes
//     log("got only ", e.partial().size(), " bytes");
//   }
//
// OSError and its subclasses are in loop/os_error.h (shared with the file API). Every
// OSError is a std::system_error whose code() is the errno in
// std::generic_category(), so `e.code() == std::errc::connection_reset` works too. The
// simulated network raises the same types with the same errno values as a Linux kernel
// would, so a handler written against one backend works against the other.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "loop/os_error.h"

namespace lockstep {

// getaddrinfo's error codes (EAI_NONAME, ...), with gai_strerror's messages.
const std::error_category& gai_category() noexcept;

// asyncio.IncompleteReadError: EOF came before readexactly(n) or readuntil() was
// satisfied. partial() holds the bytes read before EOF (they are consumed).
class IncompleteReadError : public std::runtime_error {
 public:
  // expected: nullopt for readuntil (no count was asked).
  IncompleteReadError(std::string partial, std::optional<std::size_t> expected);
  const std::string& partial() const noexcept { return partial_; }
  std::optional<std::size_t> expected() const noexcept { return expected_; }

 private:
  std::string partial_;
  std::optional<std::size_t> expected_;
};

// asyncio.LimitOverrunError: readuntil() found no separator within the reader's limit
// (or found it past the limit). The data stays in the buffer; consumed() is how many
// bytes to read to get past the part that was searched.
class LimitOverrunError : public std::runtime_error {
 public:
  LimitOverrunError(const std::string& message, std::size_t consumed);
  std::size_t consumed() const noexcept { return consumed_; }

 private:
  std::size_t consumed_;
};

}  // namespace lockstep
