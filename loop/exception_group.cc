#include "loop/exception_group.h"

#include <stdexcept>

namespace lockstep {

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : message_(std::move(message)), exceptions_(std::move(exceptions)) {
  if (exceptions_.empty())
    throw std::invalid_argument(
        "ExceptionGroup: second argument (exceptions) must be a non-empty sequence");
  const std::size_t n = exceptions_.size();
  what_ = message_ + " (" + std::to_string(n) + (n == 1 ? " sub-exception)" : " sub-exceptions)");
}

const ExceptionGroup* ExceptionGroup::as_group(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const ExceptionGroup& group) {
    return &group;
  } catch (...) {
    return nullptr;
  }
}

std::size_t ExceptionGroup::leaf_count() const noexcept {
  std::size_t n = 0;
  for (const std::exception_ptr& e : exceptions_) {
    try {
      std::rethrow_exception(e);
    } catch (const ExceptionGroup& nested) {
      n += nested.leaf_count();
    } catch (...) {
      ++n;
    }
  }
  return n;
}

}  // namespace lockstep
