// Port of scenarios/taskgroup_outer_cancel.py. Python awaits the children's cleanup
// inside their except blocks; C++ cannot co_await in a handler, so it follows it.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> child(std::string name, Duration cleanup) {
  std::exception_ptr cancelled;
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    cancelled = std::current_exception();
  }
  if (cancelled) {
    co_await sleep(cleanup);
    log(name + " cleanup done");
    std::rethrow_exception(cancelled);
  }
}

// The body of `async with asyncio.TaskGroup() as g:`.
Coro<void> body(TaskGroup& g, std::string label, bool in_body) {
  g.create_task(child(label + "-a", 1s), label + "-a");
  g.create_task(child(label + "-b", 500ms), label + "-b");
  if (in_body) {
    try {
      co_await sleep(10s);
    } catch (const CancelledError& e) {
      log(label + " body caught CancelledError msg=" + e.message());
      throw;
    }
  } else {
    log(label + " body done, waiting in exit");
  }
}

Coro<void> runner(std::string label, bool in_body) {
  TaskGroup g;
  try {
    co_await g.run(body(g, label, in_body));
  } catch (const CancelledError& e) {
    log(label + " group raised CancelledError msg=" + e.message() +
        " cancelling=" + std::to_string(current_task().cancelling()));
    throw;
  }
}

// One round of main's loop.
Coro<void> cancel_round(std::string label, bool in_body) {
  Task<void> r = create_task(runner(label, in_body), "runner-" + label);
  co_await sleep(1s);
  log(label + " cancel returned " + py(r.cancel("stop " + label)));
  try {
    co_await r;
  } catch (const CancelledError& e) {
    log(label + " runner cancelled=" + py(r.cancelled()) + " msg=" + e.message());
  }
}

CONFORMANCE_SCENARIO(taskgroup_outer_cancel) {
  co_await cancel_round("A", true);
  co_await cancel_round("B", false);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
