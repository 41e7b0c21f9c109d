// Port of scenarios/timeout_at_past_fires_via_call_soon.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

Coro<void> no_await() {
  log("body without await runs");
  co_return;
}

Coro<void> yields() {
  log("body yields");
  co_await sleep(0s);
  log("body resumed (not reached)");
}

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

CONFORMANCE_SCENARIO(timeout_at_past_fires_via_call_soon) {
  Loop& loop = *Loop::current();
  co_await sleep(1s);
  {
    Timeout cm = timeout_at(loop.time() - 1s);
    co_await cm.run(no_await());
    log("no-yield body: expired=" + py(cm.expired()));
  }
  create_task(ticker(), "ticker");
  {
    Timeout cm = timeout_at(loop.time());
    try {
      co_await cm.run(yields());
    } catch (const TimeoutError&) {
      log("yielding body: TimeoutError expired=" + py(cm.expired()));
    }
  }
  {
    Timeout cm = timeout(0s);
    try {
      co_await cm.run(sleep_coro(1s));
    } catch (const TimeoutError&) {
      log("timeout(0): TimeoutError expired=" + py(cm.expired()));
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
