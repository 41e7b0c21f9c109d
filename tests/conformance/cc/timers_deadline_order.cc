// Port of scenarios/timers_deadline_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

void cb(const std::string& name) { log("timer " + name); }

void rearm() {
  log("timer later1 rearms for 0.5 more");
  Loop::current()->call_later(500ms, [] { cb("rearmed"); });
}

CONFORMANCE_SCENARIO(timers_deadline_order) {
  Loop& loop = *Loop::current();
  log("main start");
  loop.call_later(3s, [] { cb("later3"); });
  loop.call_later(1s, rearm);
  loop.call_at(TimePoint(2s), [] { cb("at2"); });
  loop.call_later(250ms, [] { cb("later0.25"); });
  loop.call_at(TimePoint(2750ms), [] { cb("at2.75"); });
  co_await sleep(4s);
  log("main woke from sleep(4)");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
