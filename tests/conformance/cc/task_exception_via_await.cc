// Port of scenarios/task_exception_via_await.py. Python's `e1 is e2` compares exception
// objects; here it compares the std::exception_ptr each waiter caught.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> failing() {
  co_await sleep(1s);
  log("failing raises ValueError");
  throw ValueError("broken");
}

Coro<std::exception_ptr> waiter(Task<void> task, std::string name) {
  try {
    co_await task;
  } catch (const ValueError& e) {
    log(name + " caught ValueError " + e.what());
    co_return std::current_exception();
  }
  co_return nullptr;
}

CONFORMANCE_SCENARIO(task_exception_via_await) {
  Task<void> task = create_task(failing(), "failing");
  Task<std::exception_ptr> w1 = create_task(waiter(task, "w1"), "w1");
  Task<std::exception_ptr> w2 = create_task(waiter(task, "w2"), "w2");
  std::exception_ptr e1 = co_await w1;
  std::exception_ptr e2 = co_await w2;
  log("done=" + py(task.done()) + " cancelled=" + py(task.cancelled()));
  log("same exception object for both waiters: " + py(e1 == e2));
  log("exception() is it: " + py(task.exception() == e1));
  try {
    task.result();
  } catch (const ValueError& e) {
    log(std::string("result() raised ValueError ") + e.what());
  }
  try {
    co_await task;
  } catch (const ValueError&) {
    log("awaiting again raises it again");
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
