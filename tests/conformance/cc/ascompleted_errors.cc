// Port of scenarios/ascompleted_errors.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay, bool fail = false) {
  co_await sleep(std::chrono::seconds(delay));
  if (fail) {
    log(name + " raises ValueError");
    throw ValueError(name);
  }
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_errors) {
  std::vector<Task<std::string>> tasks;
  tasks.push_back(create_task(child("ok1", 1), "ok1"));
  tasks.push_back(create_task(child("bad", 2, true), "bad"));
  tasks.push_back(create_task(child("ok2", 3), "ok2"));
  tasks.push_back(create_task(child("victim", 10), "victim"));
  Task<std::string> victim = tasks[3];
  Loop::current()->call_later(4s, [victim]() mutable { victim.cancel(); });
  auto it = as_completed(tasks);
  for (std::size_t i = 0; i < it.size(); ++i) {
    std::string n = std::to_string(i);
    try {
      log("next " + n + ": " + co_await it.next());
    } catch (const ValueError& e) {
      log("next " + n + ": raised ValueError " + e.what());
    } catch (const CancelledError&) {
      log("next " + n + ": raised CancelledError");
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
