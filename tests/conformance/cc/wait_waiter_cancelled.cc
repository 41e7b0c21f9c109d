// Port of scenarios/wait_waiter_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  try {
    co_await sleep(std::chrono::seconds(delay));
  } catch (const CancelledError&) {
    log(name + " cancelled (not expected)");
    throw;
  }
  log(name + " finishes");
  co_return name;
}

Coro<void> waiter(std::vector<Task<std::string>> tasks) {
  try {
    co_await wait(tasks);
  } catch (const CancelledError& e) {
    log("waiter caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(wait_waiter_cancelled) {
  std::vector<Task<std::string>> tasks;
  tasks.push_back(create_task(child("a", 2), "a"));
  tasks.push_back(create_task(child("b", 3), "b"));
  Task<void> w = create_task(waiter(tasks), "waiter");
  co_await sleep(1s);
  w.cancel("stop waiting");
  try {
    co_await w;
  } catch (const CancelledError&) {
    log("waiter cancelled=" + py(w.cancelled()));
  }
  log("a done=" + py(tasks[0].done()) + " b done=" + py(tasks[1].done()));
  std::vector<std::string> results = co_await gather(tasks);
  log("results ['" + results[0] + "', '" + results[1] + "']");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
