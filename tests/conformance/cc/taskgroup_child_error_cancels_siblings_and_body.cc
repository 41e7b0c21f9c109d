// Port of scenarios/taskgroup_child_error_cancels_siblings_and_body.py.
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
  throw ValueError("boom");
}

// The body of `async with g:`.
Coro<void> body(TaskGroup& g, Task<void>* s1, Task<void>* s2) {
  *s1 = g.create_task(sibling("s1"), "s1");
  g.create_task(failer(), "failer");
  *s2 = g.create_task(sibling("s2"), "s2");
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("body caught CancelledError msg=" + e.message() +
        " cancelling=" + std::to_string(current_task().cancelling()));
    log("body sees " + g.repr() + " s1.done=" + py(s1->done()) + " s2.done=" + py(s2->done()));
    throw;
  }
  log("body not reached");
}

CONFORMANCE_SCENARIO(taskgroup_child_error_cancels_siblings_and_body) {
  TaskGroup g;
  Task<void> s1, s2;
  try {
    co_await g.run(body(g, &s1, &s2));
  } catch (const ExceptionGroup& eg) {
    log("ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
    for (const std::exception_ptr& e : eg.exceptions()) log("  " + type_and_arg(e));
  }
  log("after group cancelling=" + std::to_string(current_task().cancelling()) + " " + g.repr());
  log("s1.cancelled=" + py(s1.cancelled()) + " s2.cancelled=" + py(s2.cancelled()));
  co_await sleep(1s);
  log("main slept on after the group");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
