// Port of scenarios/equal_deadline_timers_fifo.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

void cb(int i) {
  log("timer " + std::to_string(i));
  Loop::current()->call_soon([i] { log("follow-up of timer " + std::to_string(i)); });
}

CONFORMANCE_SCENARIO(equal_deadline_timers_fifo) {
  Loop& loop = *Loop::current();
  for (int i = 0; i < 8; ++i) {
    if (i % 2 == 0)
      loop.call_later(1s, [i] { cb(i); });
    else
      loop.call_at(TimePoint(1s), [i] { cb(i); });
  }
  co_await sleep(500ms);
  log("main at 0.5 arms timer 8 for t=1");
  loop.call_at(TimePoint(1s), [] { cb(8); });
  co_await sleep(1s);
  log("main woke");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
