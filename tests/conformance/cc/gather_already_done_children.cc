// Port of scenarios/gather_already_done_children.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> ticker() {
  for (int i = 0; i < 4; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

Coro<std::string> quick() { co_return "q"; }

CONFORMANCE_SCENARIO(gather_already_done_children) {
  Future<std::string> f = Loop::current()->create_future<std::string>();
  f.set_result("f");
  Task<std::string> t = create_task(quick(), "quick");
  co_await sleep(0s);
  log("quick done=" + py(t.done()));
  create_task(ticker(), "ticker");
  auto g = gather(f, t);
  log("gather done right after creation: " + py(g.done()));
  auto [r0, r1] = co_await g;
  log("results ['" + r0 + "', '" + r1 + "']");
  co_await sleep(0s);
  auto e = gather();
  log("empty gather done=" + py(e.done()));
  co_await e;
  log("empty results []");
  co_await sleep(0s);
  log("main finishes");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
