// Port of scenarios/taskgroup_create_task_errors.py. TaskGroup's RuntimeError is a
// std::logic_error here; the refused coroutine is destroyed unstarted (Python closes it).
#include <stdexcept>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> noop() {
  log("noop ran");
  co_return;
}

void try_create(const std::string& label, TaskGroup& g) {
  try {
    g.create_task(noop(), label);
    log(label + ": created");
  } catch (const std::logic_error& e) {
    log(label + ": RuntimeError " + python_message(e));
  }
}

Coro<void> on_cancel_try_create(TaskGroup& g) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    try_create("while aborting", g);
    throw;
  }
}

Coro<void> crash() {
  co_await sleep(1s);
  throw ValueError("crash");
}

Coro<void> late_outsider(TaskGroup& g) {
  co_await sleep(1s);
  co_await sleep(0s);  // runs right after the last child's done callback
  try_create("exit not yet returned", g);
}

Coro<void> body_never_runs() {
  log("body ran");
  co_return;
}

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

// The body of the first `async with g:`.
Coro<void> body(TaskGroup& g) {
  g.create_task(on_cancel_try_create(g), "victim");
  g.create_task(crash(), "crash");
  try {
    co_await g.run(body_never_runs());
  } catch (const std::logic_error& e) {
    log(std::string("nested enter: RuntimeError ") + python_message(e));
  }
  co_await sleep(10s);
}

// The body of `async with g2:`.
Coro<void> body2(TaskGroup& g2, Task<void>* o) {
  g2.create_task(sleep_coro(1s), "last");
  *o = create_task(late_outsider(g2), "outsider");
  co_return;
}

CONFORMANCE_SCENARIO(taskgroup_create_task_errors) {
  TaskGroup g;
  try_create("before entering", g);
  log(g.repr());

  try {
    co_await g.run(body(g));
  } catch (const ExceptionGroup& eg) {
    log("ExceptionGroup n=" + std::to_string(eg.exceptions().size()) + " " +
        python_type(eg.exceptions()[0]));
  }
  log(g.repr());

  TaskGroup g2;
  Task<void> o;
  co_await g2.run(body2(g2, &o));
  log("g2 exited");
  co_await o;
  try_create("after exit", g2);
  try {
    co_await g2.run(body_never_runs());
  } catch (const std::logic_error& e) {
    log(std::string("enter again: RuntimeError ") + python_message(e));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
