// Port of scenarios/ascompleted_starts_on_iteration.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_starts_on_iteration) {
  Task<std::string> a = create_task(child("a", 4), "a");
  Task<std::string> b = create_task(child("b", 10), "b");
  std::vector<Task<std::string>> inputs{a, b};
  auto it = as_completed(inputs, 3s);
  co_await sleep(2s);
  log("iteration begins");
  for (std::size_t i = 0; i < it.size(); ++i) {
    try {
      log("next " + std::to_string(i) + ": " + co_await it.next());
    } catch (const TimeoutError&) {
      log("next " + std::to_string(i) + ": TimeoutError");
    }
  }
  b.cancel();
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
