// Port of scenarios/taskgroup_outer_cancel_and_child_error.py. Python awaits inside the
// body's except block; C++ cannot co_await in a handler, so it follows it.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// type(e).__name__ + " " + e.args[0]
std::string type_and_arg(const std::exception_ptr& e) {
  const std::string type = python_type(e);
  return type + " " + python_name(e).substr(type.size() + 2);
}

Coro<void> child(std::string name, std::exception_ptr cleanup_error) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(name + " cancelled, raises " + python_type(cleanup_error));
    std::rethrow_exception(cleanup_error);
  }
}

Coro<void> crash_soon(std::string name, Duration delay) {
  try {
    co_await sleep(delay);
  } catch (const CancelledError&) {
    log(name + " cancelled");
    throw;
  }
  log(name + " raises ZeroDivisionError");
  throw ZeroDivisionError(name);
}

void show(const std::string& label, const ExceptionGroup& eg) {
  log(label + ": ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
  for (const std::exception_ptr& e : eg.exceptions()) log(label + ":   " + type_and_arg(e));
  log(label + ": cancelling=" + std::to_string(current_task().cancelling()));
}

Coro<void> body_a(TaskGroup& g) {
  g.create_task(child("a1", std::make_exception_ptr(ValueError("a1 cleanup"))), "a1");
  co_await sleep(10s);
}

Coro<std::string> runner_a() {
  TaskGroup g;
  try {
    co_await g.run(body_a(g));
  } catch (const ExceptionGroup& eg) {
    show("A", eg);
  }
  co_await sleep(1s);
  log("A: runner slept on");
  co_return "A done";
}

Coro<void> body_b(TaskGroup& g) {
  g.create_task(crash_soon("b1", 500ms), "b1");
  std::exception_ptr cancelled;
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("B: body caught CancelledError msg=" + e.message() +
        " cancelling=" + std::to_string(current_task().cancelling()));
    cancelled = std::current_exception();
  }
  if (cancelled) {
    try {
      co_await sleep(1s);
    } catch (const CancelledError& e2) {
      log("B: body cancelled again msg=" + e2.message() +
          " cancelling=" + std::to_string(current_task().cancelling()));
    }
    std::rethrow_exception(cancelled);
  }
}

Coro<std::string> runner_b() {
  TaskGroup g;
  try {
    co_await g.run(body_b(g));
  } catch (const ExceptionGroup& eg) {
    show("B", eg);
  }
  co_return "B done";
}

CONFORMANCE_SCENARIO(taskgroup_outer_cancel_and_child_error) {
  Task<std::string> ra = create_task(runner_a(), "runner-a");
  co_await sleep(1s);
  ra.cancel("outer a");
  std::string result_a = co_await ra;
  log("A: runner returned " + result_a);

  Task<std::string> rb = create_task(runner_b(), "runner-b");
  co_await sleep(250ms);
  rb.cancel("outer b");
  std::string result_b = co_await rb;
  log("B: runner returned " + result_b);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
