// Port of scenarios/cancel_after_result_arrived.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> consumer(Future<int> fut, std::string name) {
  try {
    int value = co_await fut;
    log(name + ": consumer got " + std::to_string(value) + " (not reached)");
  } catch (const CancelledError& e) {
    log(name + ": consumer got CancelledError msg=" + e.message());
    log(name + ": future done=" + py(fut.done()) + " cancelled=" + py(fut.cancelled()));
    throw;
  }
}

CONFORMANCE_SCENARIO(cancel_after_result_arrived) {
  Loop& loop = *Loop::current();
  for (std::string name : {"result-then-cancel", "cancel-then-result"}) {
    Future<int> fut = loop.create_future<int>();
    Task<void> task = create_task(consumer(fut, name), name);
    co_await sleep(0s);
    if (name == "result-then-cancel") {
      fut.set_result(1);
      log(name + ": cancel returned " + py(task.cancel("late")));
    } else {
      log(name + ": cancel returned " + py(task.cancel("late")));
      try {
        fut.set_result(1);
      } catch (const InvalidStateError&) {
        log(name + ": set_result raised InvalidStateError");
      }
    }
    try {
      co_await task;
    } catch (const CancelledError&) {
      log(name + ": task cancelled=" + py(task.cancelled()));
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
