// Port of scenarios/taskgroup_body_raises.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// type(e).__name__ + " " + e.args[0]
std::string type_and_arg(const std::exception_ptr& e) {
  const std::string type = python_type(e);
  return type + " " + python_name(e).substr(type.size() + 2);
}

Coro<void> child(std::string name, std::exception_ptr cleanup_error = nullptr) {
  log(name + " starts");
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(name + " cancelled");
    if (cleanup_error) std::rethrow_exception(cleanup_error);
    throw;
  }
}

Coro<void> crash(std::string name, Duration delay) {
  co_await sleep(delay);
  log(name + " raises ZeroDivisionError");
  throw ZeroDivisionError(name);
}

void show(const std::string& label, const ExceptionGroup& eg) {
  log(label + ": ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
  for (const std::exception_ptr& e : eg.exceptions()) log(label + ":   " + type_and_arg(e));
  log(label + ": cancelling=" + std::to_string(current_task().cancelling()));
}

Coro<void> body_a(TaskGroup& g) {
  g.create_task(child("a"), "a");
  g.create_task(child("b", std::make_exception_ptr(KeyError("b cleanup"))), "b");
  co_await sleep(1s);
  log("A: body raises ValueError");
  throw ValueError("body");
}

Coro<void> body_b(TaskGroup& g, Task<void>* c) {
  *c = g.create_task(child("c"), "c");
  log("B: body raises ValueError before awaiting");
  throw ValueError("early");
  co_return;
}

Coro<void> body_c(TaskGroup& g) {
  g.create_task(crash("d", 1s), "d");
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("C: body cancelled, raises KeyError instead");
    throw KeyError("body instead");
  }
}

CONFORMANCE_SCENARIO(taskgroup_body_raises) {
  {
    TaskGroup g;
    try {
      co_await g.run(body_a(g));
    } catch (const ExceptionGroup& eg) {
      show("A", eg);
    }
  }

  Task<void> c;
  {
    TaskGroup g;
    try {
      co_await g.run(body_b(g, &c));
    } catch (const ExceptionGroup& eg) {
      show("B", eg);
    }
  }
  log("B: c.cancelled=" + py(c.cancelled()));

  {
    TaskGroup g;
    try {
      co_await g.run(body_c(g));
    } catch (const ExceptionGroup& eg) {
      show("C", eg);
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
