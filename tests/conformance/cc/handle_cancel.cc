// Port of scenarios/handle_cancel.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

void cb(const std::string& name) { log("cb " + name); }

CONFORMANCE_SCENARIO(handle_cancel) {
  Loop& loop = *Loop::current();
  Handle soon = loop.call_soon([] { cb("soon-cancelled"); });
  loop.call_soon([] { cb("soon-kept"); });
  soon.cancel();
  TimerHandle far = loop.call_later(100s, [] { cb("far"); });
  far.cancel();
  TimerHandle timer_b;

  auto timer_a = [&timer_b] {
    log("timer A cancels timer B, due at the same instant");
    timer_b.cancel();
  };

  loop.call_later(1s, timer_a);
  timer_b = loop.call_later(1s, [] { cb("timer B"); });
  loop.call_later(1s, [] { cb("timer C"); });
  co_await sleep(2s);
  log("soon cancelled=" + py(soon.cancelled()) + " far cancelled=" + py(far.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
