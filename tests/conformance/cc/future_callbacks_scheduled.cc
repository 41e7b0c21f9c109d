// Port of scenarios/future_callbacks_scheduled.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

CONFORMANCE_SCENARIO(future_callbacks_scheduled) {
  Loop& loop = *Loop::current();
  Future<int> fut = loop.create_future<int>();
  fut.add_done_callback(
      [](Future<int>& f) { log("cb1 sees result " + std::to_string(f.result())); });
  fut.add_done_callback([](Future<int>&) { log("cb2"); });
  loop.call_soon([] { log("callback queued before set_result"); });
  fut.set_result(42);
  log("after set_result done=" + py(fut.done()));
  fut.add_done_callback([](Future<int>&) { log("cb3 added after done"); });
  log("after add_done_callback on a done future");
  co_await sleep(0s);
  log("main resumed");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
