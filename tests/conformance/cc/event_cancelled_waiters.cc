// Port of scenarios/event_cancelled_waiters.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> waiter(Event& ev, std::string name) {
  try {
    co_await ev.wait();
  } catch (const CancelledError& e) {
    log(name + " cancelled msg=" + e.message());
    throw;
  }
  log(name + " woke");
}

CONFORMANCE_SCENARIO(event_cancelled_waiters) {
  Event ev;
  std::vector<Task<void>> tasks;
  for (const char* n : {"a", "b", "c", "d"}) tasks.push_back(create_task(waiter(ev, n), n));
  co_await sleep(0s);
  tasks[0].cancel("early");
  co_await sleep(0s);
  ev.set();
  tasks[2].cancel("late");
  log("set");
  for (Task<void>& t : tasks) {
    try {
      co_await t;
    } catch (const CancelledError&) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()));
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
