// SourceLocation: where in the user's code something was created, for diagnostics.
//
//   void f(lockstep::SourceLocation where = lockstep::SourceLocation::current());
//
// std::source_location needs __builtin_source_location, which clang 14 (supported here
// with libstdc++) lacks; __builtin_FILE/__builtin_LINE work in GCC and every clang.
#pragma once

#include <string>

namespace lockstep {

struct SourceLocation {
  const char* file = "";
  unsigned line = 0;

  // The location of the caller, when used as a default argument.
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          unsigned line = __builtin_LINE()) noexcept {
    return SourceLocation{file, line};
  }

  // True iff a location was given (a default-constructed one names no line).
  explicit operator bool() const noexcept { return line != 0; }

  // "file.cc:12"
  std::string to_string() const { return std::string(file) + ":" + std::to_string(line); }
  // Appends to_string() to `out` (reusing its capacity: no allocation once it is big
  // enough).
  void append_to(std::string& out) const {
    out += file;
    out += ':';
    char digits[12];
    char* p = digits + sizeof digits;
    unsigned n = line;
    do *--p = static_cast<char>('0' + n % 10);
    while (n /= 10);
    out.append(p, static_cast<std::size_t>(digits + sizeof digits - p));
  }
  // " at file.cc:12", or "" if no location was given: for "Queue.get() at file.cc:12".
  std::string at_suffix() const { return *this ? " at " + to_string() : std::string(); }
};

}  // namespace lockstep
