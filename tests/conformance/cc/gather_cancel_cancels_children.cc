// Port of scenarios/gather_cancel_cancels_children.py. Python awaits the cleanup inside
// its except block; C++ cannot co_await in a handler, so the handler keeps the
// CancelledError and it is re-raised after the cleanup.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Duration secs(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

Coro<std::string> child(std::string name, double delay, double cleanup) {
  std::exception_ptr cancelled;
  try {
    co_await sleep(secs(delay));
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    cancelled = std::current_exception();
  }
  if (cancelled) {
    co_await sleep(secs(cleanup));
    log(name + " cleaned up");
    std::rethrow_exception(cancelled);
  }
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(gather_cancel_cancels_children) {
  Task<std::string> done = create_task(child("done", 0.5, 0), "done");
  Task<std::string> slow = create_task(child("slow", 10, 2), "slow");
  Task<std::string> fast = create_task(child("fast", 10, 0), "fast");
  auto g = gather(return_exceptions, done, slow, fast);
  co_await sleep(1s);
  log("gather.cancel returned " + py(g.cancel("stop")));
  log("again returned " + py(g.cancel("again")));
  try {
    co_await g;
  } catch (const CancelledError& e) {
    log("gather raised CancelledError msg=" + e.message());
  }
  log("gather cancelled=" + py(g.cancelled()));
  log("done cancelled=" + py(done.cancelled()) + " slow cancelled=" + py(slow.cancelled()) +
      " fast cancelled=" + py(fast.cancelled()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
