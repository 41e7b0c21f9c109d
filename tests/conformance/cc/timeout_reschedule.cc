// Port of scenarios/timeout_reschedule.py. asyncio's RuntimeError is a std::logic_error.
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

Coro<void> later(Timeout* cm) {
  cm->reschedule(Loop::current()->time() + 3s);
  co_await sleep(2s);
  log("later: body finished in time, when=" + pyfloat(cm->when()));
}

Coro<void> earlier(Timeout* cm) {
  co_await sleep(1s);
  cm->reschedule(Loop::current()->time() + 1s);
  co_await sleep(5s);
}

Coro<void> never(Timeout* cm) {
  cm->reschedule(std::nullopt);
  co_await sleep(3s);
  log("None: no deadline, when=" + pyfloat(cm->when()) + " expired=" + py(cm->expired()));
}

CONFORMANCE_SCENARIO(timeout_reschedule) {
  {
    Timeout cm = timeout(1s);
    try {
      cm.reschedule(TimePoint{} + 5s);
    } catch (const std::logic_error& e) {
      log(std::string("before entry: RuntimeError ") + python_message(e));
    }
    co_await cm.run(later(&cm));
    try {
      cm.reschedule(std::nullopt);
    } catch (const std::logic_error& e) {
      log(std::string("after exit: RuntimeError ") + python_message(e));
    }
  }
  {
    Timeout cm = timeout(10s);
    try {
      co_await cm.run(earlier(&cm));
    } catch (const TimeoutError&) {
      log("earlier: TimeoutError when=" + pyfloat(cm.when()));
    }
    try {
      cm.reschedule(std::nullopt);
    } catch (const std::logic_error& e) {
      log(std::string("after expiry: RuntimeError ") + python_message(e));
    }
  }
  {
    Timeout cm = timeout(1s);
    co_await cm.run(never(&cm));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
