// Port of scenarios/waitfor_cancel_races_timeout.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// asyncio.sleep(5) as a coroutine object, for wait_for.
Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

Coro<void> worker(std::string label) {
  try {
    co_await wait_for(sleep_coro(5s), 1s);
    log(label + ": wait_for returned (wrong)");
  } catch (const TimeoutError&) {
    log(label + ": TimeoutError (the cancel was lost)");
  } catch (const CancelledError& e) {
    log(label + ": CancelledError msg=" + e.message() +
        " cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
}

Coro<void> trial(std::string label, bool explicit_first) {
  Loop& loop = *Loop::current();
  TimePoint deadline = loop.time() + 1s;
  Task<void> w = create_task(worker(label), label);
  if (!explicit_first) co_await sleep(0s);  // the worker schedules its timeout timer first
  loop.call_at(deadline, [label, w]() mutable {
    log(label + ": cancel returned " + py(w.cancel("explicit")));
  });
  try {
    co_await w;
  } catch (const CancelledError&) {
    log(label + ": worker cancelled=" + py(w.cancelled()));
  }
}

CONFORMANCE_SCENARIO(waitfor_cancel_races_timeout) {
  co_await trial("timeout first", false);
  co_await trial("cancel first", true);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
