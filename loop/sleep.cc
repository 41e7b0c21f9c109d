#include "loop/sleep.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace lockstep {

namespace internal {

std::string SleepFuture::describe() const {
  return "sleep until t=" + std::to_string(to_seconds(when_)) + "s";
}

std::string SleepFuture::wait_text() const {
  std::string s;
  append_wait_text(s);
  return s;
}

void SleepFuture::append_wait_text(std::string& out) const {
  // Memoised: a recorded run formats one of these per timed sleep, printf's %g costs
  // more than the rest of recording the suspension, and programs sleep for few distinct
  // delays. A cache of a pure function, per thread: it changes no text.
  struct Entry {
    std::int64_t ns = std::numeric_limits<std::int64_t>::min();  // none
    std::uint8_t size = 0;
    char text[39];
  };
  thread_local std::array<Entry, 256> cache;
  const Duration delay = when_ - loop().time();
  const std::int64_t ns = delay.count();
  Entry& e = cache[static_cast<std::uint64_t>(ns) * 0x9E3779B97F4A7C15ull >> 56];
  if (e.ns != ns) {
    const int n = std::snprintf(e.text, sizeof e.text, "sleep(%gs)", to_seconds(delay));
    e.size = static_cast<std::uint8_t>(n > 0 ? std::min<int>(n, sizeof e.text - 1) : 0);
    e.ns = ns;
  }
  out.append(e.text, e.size);
}

}  // namespace internal

internal::SleepAwaiter sleep_until(TimePoint when, SourceLocation where) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: sleep_until() needs a running loop");
  return internal::SleepAwaiter(when - loop->time(), where);
}

}  // namespace lockstep
