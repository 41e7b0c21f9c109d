// Port of scenarios/barrier_cancelled_party.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> party(Barrier& barrier, std::string name) {
  int index = 0;
  try {
    index = co_await barrier.wait();
  } catch (const CancelledError&) {
    log(name + " cancelled n_waiting=" + std::to_string(barrier.n_waiting()));
    throw;
  }
  log(name + " passed index=" + std::to_string(index));
}

CONFORMANCE_SCENARIO(barrier_cancelled_party) {
  Barrier barrier(3);
  Task<void> a = create_task(party(barrier, "a"), "a");
  Task<void> b = create_task(party(barrier, "b"), "b");
  co_await sleep(0s);
  log("n_waiting=" + std::to_string(barrier.n_waiting()));
  a.cancel();
  co_await sleep(0s);
  log("after cancel n_waiting=" + std::to_string(barrier.n_waiting()));
  Task<void> c = create_task(party(barrier, "c"), "c");
  Task<void> d = create_task(party(barrier, "d"), "d");
  for (const Task<void>& t : {a, b, c, d}) {
    try {
      co_await t;
    } catch (const CancelledError&) {
      log(t.get_name() + " cancelled=" + py(t.cancelled()));
    }
  }
  log("n_waiting=" + std::to_string(barrier.n_waiting()) + " broken=" + py(barrier.broken()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
