#include "loop/net/errors.h"

#include <netdb.h>

#include <cerrno>

namespace lockstep {

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
