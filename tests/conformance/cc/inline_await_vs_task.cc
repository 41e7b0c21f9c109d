// Port of scenarios/inline_await_vs_task.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, bool suspend) {
  log(name + " start");
  if (suspend) co_await sleep(0s);
  log(name + " end");
  co_return name;
}

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("ticker " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(inline_await_vs_task) {
  Task<void> tick = create_task(ticker(), "ticker");
  log("inline returned " + co_await child("inline", false));
  log("inline-suspending returned " + co_await child("inline-suspending", true));
  Task<std::string> task = create_task(child("task", false), "task");
  log("task created");
  log("task returned " + co_await task);
  co_await tick;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
