// Port of scenarios/taskgroup_stubborn_child.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> stubborn() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("stubborn swallows CancelledError msg=" + e.message());
  }
  co_await sleep(2s);
  log("stubborn returns");
  co_return "stubborn result";
}

Coro<void> polite() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("polite caught CancelledError msg=" + e.message());
    throw;
  }
}

// The body of `async with g:`.
Coro<void> body(TaskGroup& g, Task<std::string>* s) {
  *s = g.create_task(stubborn(), "stubborn");
  g.create_task(polite(), "polite");
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log("body caught CancelledError msg=" + e.message());
    throw;
  }
}

Coro<void> runner() {
  TaskGroup g;
  Task<std::string> s;
  try {
    co_await g.run(body(g, &s));
  } catch (const CancelledError& e) {
    log("group raised CancelledError msg=" + e.message() +
        " cancelling=" + std::to_string(current_task().cancelling()) + " stubborn=" + s.result());
    throw;
  }
}

CONFORMANCE_SCENARIO(taskgroup_stubborn_child) {
  Task<void> r = create_task(runner(), "runner");
  co_await sleep(1s);
  r.cancel("first");
  co_await sleep(1s);
  log("second cancel returned " + py(r.cancel("second")));
  try {
    co_await r;
  } catch (const CancelledError& e) {
    log("runner cancelled=" + py(r.cancelled()) + " msg=" + e.message() +
        " cancelling=" + std::to_string(r.cancelling()));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
