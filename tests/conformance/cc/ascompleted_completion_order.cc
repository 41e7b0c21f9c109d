// Port of scenarios/ascompleted_completion_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_completion_order) {
  Task<std::string> a = create_task(child("a", 3), "a");
  Task<std::string> b = create_task(child("b", 1), "b");
  Task<std::string> c = create_task(child("c", 2), "c");
  Task<std::string> d = create_task(child("d", 2), "d");
  std::vector<Task<std::string>> inputs{a, b, c, d, b};
  auto its = as_completed(inputs);
  log(std::to_string(its.size()) + " awaitables");
  for (std::size_t i = 0; i < its.size(); ++i) {
    std::string value = co_await its.next();
    log("next " + std::to_string(i) + ": " + value);
    if (value == "c") {
      co_await sleep(2s);
      log("consumer was busy");
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
