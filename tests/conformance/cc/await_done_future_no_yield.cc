// Port of scenarios/await_done_future_no_yield.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> quick() { co_return 7; }

Coro<void> ticker() {
  log("ticker ran");
  co_return;
}

CONFORMANCE_SCENARIO(await_done_future_no_yield) {
  Loop& loop = *Loop::current();
  Task<int> done_task = create_task(quick(), "quick");
  co_await sleep(0s);
  log("quick done=" + py(done_task.done()));
  create_task(ticker(), "ticker");
  Future<std::string> fut = loop.create_future<std::string>();
  fut.set_result(std::string("ready"));
  log("awaited done future: " + co_await fut);
  log("awaited done task: " + std::to_string(co_await done_task));
  log("still before ticker");
  co_await sleep(0s);
  log("after sleep(0)");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
