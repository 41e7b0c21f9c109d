// Port of scenarios/taskgroup_task_names.py. An empty name is Python's name=None.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> report(std::string label) {
  log(label + " runs as " + current_task().get_name());
  co_return;
}

// The body of `async with asyncio.TaskGroup() as g:`.
Coro<void> body(TaskGroup& g) {
  Task<void> t1 = g.create_task(report("unnamed child"));
  Task<void> t2 = g.create_task(report("named child"), "alpha");
  Task<void> t3 = g.create_task(report("name=None child"), "");
  log("group children: " + t1.get_name() + " " + t2.get_name() + " " + t3.get_name());
  co_return;
}

CONFORMANCE_SCENARIO(taskgroup_task_names) {
  Loop& loop = *Loop::current();
  {
    TaskGroup g;
    co_await g.run(body(g));
  }
  Task<void> t4 = loop.create_task(report("loop task unnamed"));
  Task<void> t5 = loop.create_task(report("loop task named"), "beta");
  Task<void> t6 = loop.create_task(report("loop task unnamed again"));
  log("loop tasks: " + t4.get_name() + " " + t5.get_name() + " " + t6.get_name());
  co_await gather(t4, t5, t6);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
