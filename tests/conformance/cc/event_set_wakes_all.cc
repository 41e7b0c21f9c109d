// Port of scenarios/event_set_wakes_all.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> waiter(Event& ev, std::string name) {
  log(name + " waiting");
  co_await ev.wait();
  log(name + " woke is_set=" + py(ev.is_set()));
}

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(event_set_wakes_all) {
  Event ev;
  std::vector<Task<void>> tasks;
  for (const char* n : {"w1", "w2", "w3"}) tasks.push_back(create_task(waiter(ev, n), n));
  co_await sleep(0s);
  ev.set();
  ev.clear();
  log("set and cleared is_set=" + py(ev.is_set()));
  for (Task<void>& t : tasks) co_await t;
  ev.set();
  ev.set();
  Task<void> tick = create_task(ticker(), "ticker");
  co_await sleep(0s);
  co_await ev.wait();
  log("wait on a set event returned");
  co_await tick;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
