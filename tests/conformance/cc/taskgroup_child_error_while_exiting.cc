// Port of scenarios/taskgroup_child_error_while_exiting.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// type(e).__name__ + " " + e.args[0]
std::string type_and_arg(const std::exception_ptr& e) {
  const std::string type = python_type(e);
  return type + " " + python_name(e).substr(type.size() + 2);
}

Coro<void> sibling(std::string name) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    throw;
  }
}

Coro<void> failer() {
  co_await sleep(1s);
  log("failer raises ValueError");
  throw ValueError("late");
}

// The body of `async with g:`.
Coro<void> body(TaskGroup& g) {
  g.create_task(sibling("s1"), "s1");
  g.create_task(failer(), "failer");
  log("body ends " + g.repr());
  co_return;
}

CONFORMANCE_SCENARIO(taskgroup_child_error_while_exiting) {
  TaskGroup g;
  try {
    co_await g.run(body(g));
  } catch (const ExceptionGroup& eg) {
    log("ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
    for (const std::exception_ptr& e : eg.exceptions()) log("  " + type_and_arg(e));
  }
  log("after group cancelling=" + std::to_string(current_task().cancelling()) + " " + g.repr());
  co_await sleep(1s);
  log("main slept on cancelling=" + std::to_string(current_task().cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
