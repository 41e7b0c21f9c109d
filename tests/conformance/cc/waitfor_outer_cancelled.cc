// Port of scenarios/waitfor_outer_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> inner(std::string name) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    throw;
  }
}

// `aw` is a Coro<void> or a Future<void>.
template <class A>
Coro<void> caller(A aw) {
  try {
    co_await wait_for(std::move(aw), 5s);
  } catch (const TimeoutError&) {
    log("caller caught TimeoutError (wrong)");
  } catch (const CancelledError& e) {
    log("caller caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(waitfor_outer_cancelled) {
  Task<void> c1 = create_task(caller(inner("coro")), "c1");
  Task<void> t = create_task(inner("task"), "task");
  Task<void> c2 = create_task(caller(Future<void>(t)), "c2");
  co_await sleep(1s);
  c1.cancel("stop 1");
  c2.cancel("stop 2");
  for (const Task<void>& c : {c1, c2}) {
    try {
      co_await c;
    } catch (const CancelledError&) {
      log(c.get_name() + " cancelled=" + py(c.cancelled()));
    }
  }
  log("task cancelled=" + py(t.cancelled()));
  co_await sleep(10s);
  log("no timeout fired later");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
