// Port of scenarios/shield_cancel_races_inner_completion.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> work() {
  co_await sleep(1s);
  co_return 5;
}

Coro<void> caller(Task<int> inner, std::vector<Future<int>>* box) {
  Future<int> outer = shield(inner);
  box->push_back(outer);
  try {
    int value = co_await outer;
    log("caller got " + std::to_string(value) + " (not expected)");
  } catch (const CancelledError&) {
    log("caller caught CancelledError, inner done=" + py(inner.done()));
    throw;
  }
}

Coro<void> trial(std::string label, bool before_shield) {
  Task<int> inner = create_task(work(), "work");
  std::vector<Future<int>> box;
  Task<void> c = create_task(caller(inner, &box), "caller");
  if (!before_shield) co_await sleep(0s);  // the caller registers the shield's callback first
  inner.add_done_callback([label, c]() mutable {
    log(label + ": inner done; cancel caller returned " + py(c.cancel()));
  });
  try {
    co_await c;
  } catch (const CancelledError&) {
    Future<int> outer = box[0];
    log(label + ": caller cancelled=" + py(c.cancelled()) + " outer cancelled=" +
        py(outer.cancelled()) + " inner result=" + std::to_string(inner.result()));
  }
}

CONFORMANCE_SCENARIO(shield_cancel_races_inner_completion) {
  co_await trial("before shield", true);
  co_await trial("after shield", false);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
