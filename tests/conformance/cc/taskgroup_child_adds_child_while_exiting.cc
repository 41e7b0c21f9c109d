// Port of scenarios/taskgroup_child_adds_child_while_exiting.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> worker(std::string name, Duration delay) {
  co_await sleep(delay);
  log(name + " finishes");
}

Coro<void> spawner(TaskGroup& g, std::string name, int depth) {
  co_await sleep(1s);
  if (depth > 0) {
    const std::string child = name + "." + std::to_string(depth);
    g.create_task(spawner(g, child, depth - 1), child);
    log(name + " spawned " + child + ": " + g.repr());
  } else {
    g.create_task(worker(name + "-worker", 500ms), name + "-worker");
    log(name + " spawned a worker: " + g.repr());
  }
  log(name + " finishes");
}

// The body of `async with g:`.
Coro<void> body(TaskGroup& g) {
  g.create_task(spawner(g, "s", 2), "s");
  g.create_task(worker("w", 1s), "w");
  log("body ends: " + g.repr());
  co_return;
}

CONFORMANCE_SCENARIO(taskgroup_child_adds_child_while_exiting) {
  TaskGroup g;
  co_await g.run(body(g));
  log("group exited: " + g.repr());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
