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

namespace {

// %g of ns / 1e9 without printf, where that is exact: the value has at most 6 significant
// digits (so %g's rounding to 6 changes nothing) and lies in [1e-4, 1e6) (so %g prints it
// without an exponent). %g then prints its digits with trailing zeros dropped. False
// where this cannot tell, for printf to do.
bool append_seconds_g(std::string& out, std::int64_t ns) {
  if (ns < 100'000 || ns >= 1'000'000'000'000'000) return false;
  std::uint64_t m = static_cast<std::uint64_t>(ns);
  int exponent = -9;  // the value is m * 10^exponent
  while (m % 10 == 0) {
    m /= 10;
    ++exponent;
  }
  char digits[20];
  int n = 0;
  for (std::uint64_t v = m; v > 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  if (n > 6) return false;
  // digits[n-1..0] are m's digits, most significant first.
  if (exponent >= 0) {
    for (int i = n - 1; i >= 0; --i) out += digits[i];
    out.append(static_cast<std::size_t>(exponent), '0');
    return true;
  }
  const int fraction = -exponent;  // digits after the point
  if (n > fraction) {
    for (int i = n - 1; i >= fraction; --i) out += digits[i];
  } else {
    out += '0';
  }
  out += '.';
  for (int i = fraction - 1; i >= 0; --i) out += i < n ? digits[i] : '0';
  return true;
}

}  // namespace

void append_sleep_text(std::string& out, Duration delay) {
  out += "sleep(";
  if (!append_seconds_g(out, delay.count())) {
    // Memoised: printf's %g costs more than the rest of recording a suspension, and
    // programs sleep for few distinct delays. A cache of a pure function, per thread:
    // it changes no text.
    struct Entry {
      std::int64_t ns = std::numeric_limits<std::int64_t>::min();  // none
      std::uint8_t size = 0;
      char text[31];
    };
    thread_local std::array<Entry, 64> cache;
    const std::int64_t ns = delay.count();
    Entry& e = cache[static_cast<std::uint64_t>(ns) * 0x9E3779B97F4A7C15ull >> 58];
    if (e.ns != ns) {
      const int n = std::snprintf(e.text, sizeof e.text, "%g", to_seconds(delay));
      e.size = static_cast<std::uint8_t>(n > 0 ? std::min<int>(n, sizeof e.text - 1) : 0);
      e.ns = ns;
    }
    out.append(e.text, e.size);
  }
  out += "s)";
}

void SleepFuture::append_wait_text(std::string& out) const {
  append_sleep_text(out, when_ - loop().time());
}

FutureBase::TextKey SleepFuture::wait_text_key() const noexcept {
  static const char kSleepTexts = 0;  // its address tells sleeps' keys from others'
  return {&kSleepTexts, static_cast<std::uint64_t>((when_ - loop().time()).count())};
}

}  // namespace internal

internal::SleepAwaiter sleep_until(TimePoint when, SourceLocation where) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: sleep_until() needs a running loop");
  return internal::SleepAwaiter(when - loop->time(), where);
}

}  // namespace lockstep
