// Port of scenarios/ascompleted_already_done.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

Coro<std::string> quick(std::string name, int yields) {
  for (int i = 0; i < yields; ++i) co_await sleep(0s);
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_already_done) {
  Future<std::string> done = Loop::current()->create_future<std::string>();
  done.set_result("done");
  create_task(ticker(), "ticker");
  Task<std::string> q = create_task(quick("quick", 0), "quick");
  Task<std::string> s = create_task(quick("slow", 2), "slow");
  log("main iterates");
  std::vector<Future<std::string>> inputs{s, done, q};
  auto it = as_completed(inputs);
  for (std::size_t i = 0; i < it.size(); ++i)
    log("next " + std::to_string(i) + ": " + co_await it.next());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
