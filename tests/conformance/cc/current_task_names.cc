// Port of scenarios/current_task_names.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

std::string who() {
  AnyTask task = current_task();
  return !task ? "none" : task.get_name();
}

Coro<void> helper() {
  log("inline helper runs in " + who());
  co_return;
}

Coro<void> worker() {
  log("worker runs in " + who());
  co_await helper();
  co_await sleep(0s);
  log("worker after rename runs in " + who());
}

CONFORMANCE_SCENARIO(current_task_names) {
  Loop& loop = *Loop::current();
  log("main runs in " + who());
  co_await helper();
  Task<void> task = create_task(worker(), "worker-1");
  loop.call_soon([] { log("callback runs in " + who()); });
  co_await sleep(0s);
  task.set_name("worker-renamed");
  co_await task;
  log("task name " + task.get_name());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
