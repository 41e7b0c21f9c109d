// Port of scenarios/shield_inner_fails_after_outer_cancelled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> risky() {
  co_await sleep(2s);
  log("risky raises ValueError");
  throw ValueError("late failure");
}

Coro<void> caller(Task<void> inner, std::vector<Future<void>>* box) {
  Future<void> s = shield(inner);
  box->push_back(s);
  try {
    co_await s;
  } catch (const CancelledError&) {
    log("caller caught CancelledError");
    throw;
  }
}

CONFORMANCE_SCENARIO(shield_inner_fails_after_outer_cancelled) {
  std::vector<Future<void>> box;
  Task<void> inner = create_task(risky(), "risky");
  Task<void> c = create_task(caller(inner, &box), "caller");
  co_await sleep(1s);
  c.cancel();
  co_await sleep(0s);
  Future<void> outer = box[0];
  log("caller cancelled=" + py(c.cancelled()) + " outer cancelled=" + py(outer.cancelled()));
  log("inner done=" + py(inner.done()));
  co_await sleep(2s);
  std::string e = python_name(inner.exception());
  log("inner exception: " + e.substr(0, e.find(": ")) + " " + e.substr(e.find(": ") + 2));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
