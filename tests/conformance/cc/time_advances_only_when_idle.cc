// Port of scenarios/time_advances_only_when_idle.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> spinner() {
  for (int i = 0; i < 4; ++i) {
    log("spin " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(time_advances_only_when_idle) {
  Loop& loop = *Loop::current();
  loop.call_later(1s, [] { log("timer due at 1"); });
  loop.call_later(0s, [] { log("timer due at 0"); });
  Task<void> spin = create_task(spinner(), "spinner");
  co_await spin;
  log("spinner finished");
  co_await sleep(2s);
  log("main woke");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
