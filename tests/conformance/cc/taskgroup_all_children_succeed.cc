// Port of scenarios/taskgroup_all_children_succeed.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, Duration delay) {
  log(name + " starts");
  co_await sleep(delay);
  log(name + " finishes");
  co_return name + "-result";
}

Coro<void> outsider() {
  co_await sleep(3s);
  for (int i = 0; i < 3; ++i) {
    log("outsider tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

// The body of `async with g:`; the children go to main's locals.
Coro<void> body(TaskGroup& g, Task<std::string>* a, Task<std::string>* b, Task<std::string>* c) {
  *a = g.create_task(child("a", 2s), "a");
  *b = g.create_task(child("b", 1s), "b");
  log("body created a and b: a.done=" + py(a->done()) + " " + g.repr());
  co_await sleep(0s);
  log("body after sleep(0)");
  *c = g.create_task(child("c", 3s), "c");
  co_await sleep(500ms);
  log("body leaves " + g.repr());
}

CONFORMANCE_SCENARIO(taskgroup_all_children_succeed) {
  Task<void> o = create_task(outsider(), "outsider");
  TaskGroup g;
  Task<std::string> a, b, c;
  co_await g.run(body(g, &a, &b, &c));
  log("group left " + g.repr());
  log("results a=" + a.result() + " b=" + b.result() + " c=" + c.result());
  co_await o;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
