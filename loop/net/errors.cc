#include "loop/net/errors.h"

#include <netdb.h>

#include <cerrno>

namespace lockstep {

OSError::OSError(int errno_value, const std::string& context)
    : std::system_error(errno_value, std::generic_category(),
                        "lockstep: [Errno " + std::to_string(errno_value) + "] " + context) {}

OSError::OSError(std::error_code code, const std::string& context)
    : std::system_error(code, "lockstep: [Errno " + std::to_string(code.value()) + "] " + context) {
}

namespace {
class GaiCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};
}  // namespace

const std::error_category& gai_category() noexcept {
  static const GaiCategory category;
  return category;
}

std::exception_ptr make_os_error(int errno_value, const std::string& context) {
  switch (errno_value) {
    case EPIPE:
    case ESHUTDOWN:
      return std::make_exception_ptr(BrokenPipeError(errno_value, context));
    case ECONNABORTED:
      return std::make_exception_ptr(ConnectionAbortedError(errno_value, context));
    case ECONNREFUSED:
      return std::make_exception_ptr(ConnectionRefusedError(errno_value, context));
    case ECONNRESET:
      return std::make_exception_ptr(ConnectionResetError(errno_value, context));
    default:
      return std::make_exception_ptr(OSError(errno_value, context));
  }
}

void throw_os_error(int errno_value, const std::string& context) {
  std::rethrow_exception(make_os_error(errno_value, context));
}

namespace {
std::string incomplete_message(std::size_t got, std::optional<std::size_t> expected) {
  // asyncio: "3 bytes read on a total of 10 expected bytes" / "... of undefined ..."
  return "lockstep: " + std::to_string(got) + " bytes read on a total of " +
         (expected ? std::to_string(*expected) : std::string("undefined")) + " expected bytes";
}
}  // namespace

IncompleteReadError::IncompleteReadError(std::string partial, std::optional<std::size_t> expected)
    : std::runtime_error(incomplete_message(partial.size(), expected)),
      partial_(std::move(partial)),
      expected_(expected) {}

LimitOverrunError::LimitOverrunError(const std::string& message, std::size_t consumed)
    : std::runtime_error("lockstep: " + message), consumed_(consumed) {}

}  // namespace lockstep
