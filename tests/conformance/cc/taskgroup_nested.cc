// Port of scenarios/taskgroup_nested.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// type(e).__name__ + " " + e.args[0]
std::string type_and_arg(const std::exception_ptr& e) {
  const std::string type = python_type(e);
  return type + " " + python_name(e).substr(type.size() + 2);
}

Coro<void> sleeper(std::string name, Duration delay) {
  try {
    co_await sleep(delay);
  } catch (const CancelledError&) {
    log(name + " cancelled");
    throw;
  }
  log(name + " finishes");
}

Coro<void> crash(std::string name, Duration delay) {
  co_await sleep(delay);
  log(name + " raises ValueError");
  throw ValueError(name);
}

// The body of `async with asyncio.TaskGroup() as inner:`.
Coro<void> inner_body(TaskGroup& inner, std::string label) {
  inner.create_task(sleeper(label + "-inner-sib", 10s), label + "-inner-sib");
  inner.create_task(crash(label + "-inner-crash", 1s), label + "-inner-crash");
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log(label + " inner body cancelled");
    throw;
  }
}

Coro<void> inner_runner(std::string label) {
  TaskGroup inner;
  try {
    co_await inner.run(inner_body(inner, label));
  } catch (const ExceptionGroup&) {
    log(label + " inner group raised ExceptionGroup");
    throw;
  }
}

void describe(const ExceptionGroup& eg, std::size_t depth) {
  const std::string pad(2 * depth, ' ');
  log(pad + "ExceptionGroup " + eg.message() + " n=" + std::to_string(eg.exceptions().size()));
  for (const std::exception_ptr& e : eg.exceptions()) {
    try {
      std::rethrow_exception(e);
    } catch (const ExceptionGroup& nested) {
      describe(nested, depth + 1);
    } catch (...) {
      log(pad + "  " + type_and_arg(e));
    }
  }
}

Coro<void> outer_body_a(TaskGroup& outer) {
  outer.create_task(sleeper("A-outer-sib", 10s), "A-outer-sib");
  outer.create_task(inner_runner("A"), "A-inner-runner");
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    log("A outer body cancelled");
    throw;
  }
}

Coro<void> outer_body_b(TaskGroup& outer) {
  outer.create_task(sleeper("B-outer-sib", 10s), "B-outer-sib");
  co_await inner_runner("B");
  log("B not reached");
}

CONFORMANCE_SCENARIO(taskgroup_nested) {
  {
    TaskGroup outer;
    try {
      co_await outer.run(outer_body_a(outer));
    } catch (const ExceptionGroup& eg) {
      describe(eg, 0);
    }
  }
  {
    TaskGroup outer;
    try {
      co_await outer.run(outer_body_b(outer));
    } catch (const ExceptionGroup& eg) {
      describe(eg, 0);
    }
  }
  log("cancelling=" + std::to_string(current_task().cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
