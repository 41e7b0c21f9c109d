// Port of scenarios/cancel_msg_consumed_once.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> sleeper() { co_await sleep(5s); }

// Awaits a task or a plain future (a Task<void> is a Future<void>).
Coro<void> waiter(Future<void> task, std::string name) {
  try {
    co_await task;
  } catch (const CancelledError& e) {
    log(name + " got CancelledError msg=" + e.message());
  }
}

CONFORMANCE_SCENARIO(cancel_msg_consumed_once) {
  Task<void> task = create_task(sleeper(), "sleeper");
  Task<void> w1 = create_task(waiter(task, "w1"), "w1");
  Task<void> w2 = create_task(waiter(task, "w2"), "w2");
  co_await sleep(1s);
  task.cancel("bye");
  co_await w1;
  co_await w2;
  co_await waiter(task, "main");
  Future<void> fut = Loop::current()->create_future<void>();
  fut.cancel("fut-bye");
  co_await waiter(fut, "future awaiter 1");
  co_await waiter(fut, "future awaiter 2");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
