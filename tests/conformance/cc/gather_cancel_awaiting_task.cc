// Port of scenarios/gather_cancel_awaiting_task.py. Python awaits inside its except
// block; here the handler keeps the CancelledError and the await follows it.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, bool swallow) {
  bool swallowed = false;
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    if (!swallow) throw;
    swallowed = true;
  }
  if (!swallowed) co_return "None";
  co_await sleep(1s);
  log(name + " returns anyway");
  co_return name;
}

Coro<void> parent(Task<std::string> a, Task<std::string> b) {
  try {
    co_await gather(return_exceptions, a, b);
    log("parent got results (not reached)");
  } catch (const CancelledError& e) {
    log("parent caught CancelledError msg=" + e.message());
    throw;
  }
}

CONFORMANCE_SCENARIO(gather_cancel_awaiting_task) {
  Task<std::string> a = create_task(child("a", false), "a");
  Task<std::string> b = create_task(child("b", true), "b");
  Task<void> p = create_task(parent(a, b), "parent");
  co_await sleep(1s);
  log("cancel parent returned " + py(p.cancel("from main")));
  try {
    co_await p;
  } catch (const CancelledError&) {
    log("parent cancelled=" + py(p.cancelled()));
  }
  log("a cancelled=" + py(a.cancelled()) + " b cancelled=" + py(b.cancelled()) +
      " b result=" + b.result());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
