// Port of scenarios/ascompleted_timeout_same_instant.py. Python's as_completed starts
// (registers its callbacks and its timer) when iteration begins; here when it is built.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name) {
  co_await sleep(2s);
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(ascompleted_timeout_same_instant) {
  Loop& loop = *Loop::current();
  Task<std::string> t = create_task(child("task"), "task");
  co_await sleep(0s);
  Future<std::string> f = loop.create_future<std::string>();
  loop.call_later(2s, [f]() mutable { f.set_result("future"); });
  std::vector<Future<std::string>> inputs{t, f};
  auto it = as_completed(inputs, 2s);
  for (std::size_t i = 0; i < it.size(); ++i) {
    try {
      log("next " + std::to_string(i) + ": " + co_await it.next());
    } catch (const TimeoutError&) {
      log("next " + std::to_string(i) + ": TimeoutError, task done=" + py(t.done()));
    }
  }
  log("task result " + co_await t);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
