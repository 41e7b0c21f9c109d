#include "loop/sleep.h"

#include <cstdio>
#include <stdexcept>

namespace lockstep {

namespace internal {

std::string SleepFuture::describe() const {
  return "sleep until t=" + std::to_string(to_seconds(when_)) + "s";
}

std::string SleepFuture::wait_text() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "sleep(%gs)", to_seconds(when_ - loop().time()));
  return buf;
}

}  // namespace internal

internal::SleepAwaiter sleep_until(TimePoint when, SourceLocation where) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: sleep_until() needs a running loop");
  return internal::SleepAwaiter(when - loop->time(), where);
}

}  // namespace lockstep
