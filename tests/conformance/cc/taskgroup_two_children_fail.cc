// Port of scenarios/taskgroup_two_children_fail.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// type(e).__name__ + " " + e.args[0]
std::string type_and_arg(const std::exception_ptr& e) {
  const std::string type = python_type(e);
  return type + " " + python_name(e).substr(type.size() + 2);
}

Coro<void> fail_after(std::string name, Duration delay, std::exception_ptr exc) {
  co_await sleep(delay);
  log(name + " raises " + python_type(exc));
  std::rethrow_exception(exc);
}

Coro<void> fail_on_cancel(std::string name, std::exception_ptr exc) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(name + " cancelled, raises " + python_type(exc));
    std::rethrow_exception(exc);
  }
}

// The body of `async with asyncio.TaskGroup() as g:`.
Coro<void> body(TaskGroup& g) {
  g.create_task(fail_on_cancel("slow", std::make_exception_ptr(KeyError("slow cleanup"))), "slow");
  g.create_task(fail_after("y", 1s, std::make_exception_ptr(ValueError("y"))), "y");
  g.create_task(fail_after("w", 1s, std::make_exception_ptr(ZeroDivisionError("w"))), "w");
  g.create_task(fail_on_cancel("z", std::make_exception_ptr(RuntimeError("z cleanup"))), "z");
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("body cancelled cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
}

CONFORMANCE_SCENARIO(taskgroup_two_children_fail) {
  TaskGroup g;
  try {
    co_await g.run(body(g));
  } catch (const ExceptionGroup& eg) {
    log("ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
    for (const std::exception_ptr& e : eg.exceptions()) log("  " + type_and_arg(e));
    log(std::string("str: ") + eg.what());
    log("cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
