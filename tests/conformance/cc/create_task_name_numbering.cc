// Port of scenarios/create_task_name_numbering.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

Coro<void> noop() { co_return; }

CONFORMANCE_SCENARIO(create_task_name_numbering) {
  Loop& loop = *Loop::current();
  Task<void> a = create_task(noop());
  Task<void> b = create_task(noop(), "named");
  Task<void> c = create_task(noop());
  Task<void> d = loop.create_task(noop(), "loop-named");
  Task<void> e = create_task(noop());
  for (const Task<void>& t : {a, b, c, d, e}) log(t.get_name());
  co_await gather(a, b, c, d, e);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
