// Port of scenarios/create_task_first_step_soon.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> worker(std::string name) {
  log(name + " first step");
  co_await sleep(0s);
  log(name + " second step");
  co_return name;
}

CONFORMANCE_SCENARIO(create_task_first_step_soon) {
  Loop& loop = *Loop::current();
  loop.call_soon([] { log("callback queued before the tasks"); });
  Task<std::string> t1 = create_task(worker("t1"), "t1");
  Task<std::string> t2 = create_task(worker("t2"), "t2");
  loop.call_soon([] { log("callback queued after the tasks"); });
  log("tasks created, none started");
  co_await sleep(0s);
  log("main resumed");
  log("t1 returned " + co_await t1);
  log("t2 returned " + co_await t2);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
