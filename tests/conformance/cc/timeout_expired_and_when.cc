// Port of scenarios/timeout_expired_and_when.py.
#include <cstdio>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// Python's str() of a float deadline, or None.
std::string pyfloat(std::optional<TimePoint> t) {
  if (!t) return "None";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, to_seconds(*t));
    if (std::strtod(buf, nullptr) == to_seconds(*t)) break;
  }
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

Coro<void> in_time(Timeout* cm) {
  co_await sleep(1s);
  log("inside: expired=" + py(cm->expired()));
}

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

Coro<void> swallowing(Timeout* cm) {
  try {
    co_await sleep(5s);
  } catch (const CancelledError&) {
    log("body swallows CancelledError expired=" + py(cm->expired()));
  }
  co_await sleep(1s);
  log("body continues after its deadline");
}

CONFORMANCE_SCENARIO(timeout_expired_and_when) {
  Loop& loop = *Loop::current();
  {
    Timeout cm = timeout(2s);
    log("when=" + pyfloat(cm.when()) + " expired=" + py(cm.expired()));
    co_await cm.run(in_time(&cm));
    log("after in-time body: expired=" + py(cm.expired()));
  }
  {
    Timeout cm = timeout(1s);
    try {
      co_await cm.run(sleep_coro(5s));
    } catch (const TimeoutError& e) {
      log(std::string("TimeoutError msg=") + e.what() + " expired=" + py(cm.expired()) +
          " cancelling=" + std::to_string(current_task().cancelling()));
    }
  }
  {
    Timeout cm = timeout_at(loop.time() + 1s);
    co_await cm.run(swallowing(&cm));
    log("left normally expired=" + py(cm.expired()) +
        " cancelling=" + std::to_string(current_task().cancelling()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
