// Port of scenarios/taskgroup_child_cancelled_alone.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, Duration delay, bool swallow = false) {
  bool swallowed = false;
  try {
    co_await sleep(delay);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    if (!swallow) throw;
    swallowed = true;
  }
  if (swallowed) co_return name + " swallowed";
  log(name + " finishes");
  co_return name + " finished";
}

Coro<void> canceller(Task<std::string> victim) {
  co_await sleep(2s);
  const std::string name = victim.get_name();
  log("canceller cancels " + name + ": " + py(victim.cancel("by canceller")));
}

// The body of `async with asyncio.TaskGroup() as g:`.
Coro<void> body(TaskGroup& g, Task<std::string>* a, Task<std::string>* b, Task<std::string>* c) {
  *a = g.create_task(child("a", 3s), "a");
  *b = g.create_task(child("b", 5s), "b");
  *c = g.create_task(child("c", 5s, true), "c");
  g.create_task(canceller(*b), "canceller");
  co_await sleep(1s);
  log("body cancels c: " + py(c->cancel("by body")));
  co_await sleep(0s);
  log("body sees " + g.repr());
}

CONFORMANCE_SCENARIO(taskgroup_child_cancelled_alone) {
  TaskGroup g;
  Task<std::string> a, b, c;
  co_await g.run(body(g, &a, &b, &c));
  log("group done a=" + a.result() + " b.cancelled=" + py(b.cancelled()) + " c=" + c.result());
  log("cancelling=" + std::to_string(current_task().cancelling()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
