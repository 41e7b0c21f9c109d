// Port of scenarios/ascompleted_timeout.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_timeout) {
  std::vector<Task<std::string>> tasks;
  tasks.push_back(create_task(child("a", 1), "a"));
  tasks.push_back(create_task(child("b", 2), "b"));
  tasks.push_back(create_task(child("c", 5), "c"));
  tasks.push_back(create_task(child("d", 6), "d"));
  auto it = as_completed(tasks, 3s);
  for (std::size_t i = 0; i < it.size(); ++i) {
    std::string n = std::to_string(i);
    try {
      log("next " + n + ": " + co_await it.next());
    } catch (const TimeoutError&) {
      log("next " + n + ": TimeoutError");
    }
    if (i == 0) {
      co_await sleep(4s);
      log("consumer slept past the deadline");
    }
  }
  log("c cancelled=" + py(tasks[2].cancelled()) + " d cancelled=" + py(tasks[3].cancelled()));
  co_await gather(tasks[2], tasks[3]);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
