// Port of scenarios/waitfor_zero_timeout.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> body(std::string name) {
  log(name + " runs");
  co_await sleep(1s);
  co_return name;
}

Coro<std::string> stubborn() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("stubborn swallows the cancellation");
  }
  co_return "stubborn value";
}

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(waitfor_zero_timeout) {
  Loop& loop = *Loop::current();
  create_task(ticker(), "ticker");
  try {
    co_await wait_for(body("coro"), 0s);
  } catch (const TimeoutError&) {
    log("coroutine: TimeoutError");
  }
  Future<std::string> f = loop.create_future<std::string>();
  f.set_result("done value");
  log("done future: " + co_await wait_for(f, 0s));
  Task<std::string> t = create_task(body("task"), "task");
  co_await sleep(0s);
  try {
    co_await wait_for(t, -1s);
  } catch (const TimeoutError&) {
    log("pending task: TimeoutError cancelled=" + py(t.cancelled()));
  }
  Task<std::string> s = create_task(stubborn(), "stubborn");
  co_await sleep(0s);
  log("stubborn task: " + co_await wait_for(s, 0s));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
