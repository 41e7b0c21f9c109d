// Port of scenarios/timer_vs_sleep_same_deadline.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleeper(std::string name) {
  log(name + " sleeps 1");
  co_await sleep(1s);
  log(name + " woke");
}

CONFORMANCE_SCENARIO(timer_vs_sleep_same_deadline) {
  Loop& loop = *Loop::current();
  Task<void> first = create_task(sleeper("first"), "first");
  co_await sleep(0s);
  loop.call_later(1s, [] { log("callback due at 1"); });
  Task<void> second = create_task(sleeper("second"), "second");
  co_await sleep(0s);
  loop.call_at(TimePoint(1s), [] { log("callback armed last, due at 1"); });
  co_await first;
  co_await second;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
