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
// Every OSError is a std::system_error whose code() is the errno in
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

namespace lockstep {

// An operating-system level failure (Python's OSError): what() reads
// "lockstep: [Errno 111] connect to 127.0.0.1:9 failed: Connection refused".
class OSError : public std::system_error {
 public:
  OSError(int errno_value, const std::string& context);
  // Another category: getaddrinfo's errors (gai_category(), Python's socket.gaierror).
  OSError(std::error_code code, const std::string& context);
  int errno_value() const noexcept { return code().value(); }
};

// Python's ConnectionError and its subclasses, chosen by errno (see make_os_error).
class ConnectionError : public OSError {
  using OSError::OSError;
};
class BrokenPipeError : public ConnectionError {  // EPIPE, ESHUTDOWN
  using ConnectionError::ConnectionError;
};
class ConnectionAbortedError : public ConnectionError {  // ECONNABORTED
  using ConnectionError::ConnectionError;
};
class ConnectionRefusedError : public ConnectionError {  // ECONNREFUSED
  using ConnectionError::ConnectionError;
};
class ConnectionResetError : public ConnectionError {  // ECONNRESET
  using ConnectionError::ConnectionError;
};

// getaddrinfo's error codes (EAI_NONAME, ...), with gai_strerror's messages.
const std::error_category& gai_category() noexcept;

// The right OSError subclass for `errno_value`, as Python picks it.
std::exception_ptr make_os_error(int errno_value, const std::string& context);
[[noreturn]] void throw_os_error(int errno_value, const std::string& context);

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
