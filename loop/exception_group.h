// ExceptionGroup: several exceptions raised together (Python's ExceptionGroup, PEP 654).
//
//   try {
//     co_await lockstep::task_group([&](lockstep::TaskGroup& g) -> lockstep::Coro<void> { ... });
//   } catch (const lockstep::ExceptionGroup& eg) {
//     for (const std::exception_ptr& e : eg.exceptions()) log(lockstep::describe_exception(e));
//     if (const auto* io = eg.find<IoError>()) retry(io->path());   // nested groups searched
//   }
//
// A TaskGroup raises one when its children (or its body) fail: every error is kept, in
// the order the group saw them. what() is Python's str(): "<message> (2 sub-exceptions)".
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace lockstep {

class ExceptionGroup : public std::exception {
 public:
  // `exceptions` must not be empty (as in Python): std::invalid_argument otherwise.
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);

  // The message given at construction, e.g. "unhandled errors in a TaskGroup".
  const std::string& message() const noexcept { return message_; }
  // The sub-exceptions, in order. A sub-exception may itself be an ExceptionGroup.
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
  // "<message> (N sub-exception[s])", as Python's str(eg).
  const char* what() const noexcept override { return what_.c_str(); }

  // The first sub-exception of type E (or derived), depth-first through nested groups;
  // nullptr if there is none.
  template <class E>
  const E* find() const noexcept;
  // How many leaf exceptions (not groups) the group holds, nested groups included.
  std::size_t leaf_count() const noexcept;

 private:
  // The group `e` holds, or nullptr if `e` is not an ExceptionGroup.
  static const ExceptionGroup* as_group(const std::exception_ptr& e) noexcept;

  std::string message_;
  std::vector<std::exception_ptr> exceptions_;
  std::string what_;
};

template <class E>
const E* ExceptionGroup::find() const noexcept {
  for (const std::exception_ptr& e : exceptions_) {
    try {
      std::rethrow_exception(e);
    } catch (const E& match) {
      return &match;  // lives as long as the exception object, which `e` keeps alive
    } catch (...) {
      if constexpr (!std::is_base_of_v<E, ExceptionGroup>) {
        if (const ExceptionGroup* nested = as_group(e))
          if (const E* inner = nested->find<E>()) return inner;
      }
    }
  }
  return nullptr;
}

}  // namespace lockstep
