// Port of scenarios/waitfor_no_timeout.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> long_job() {
  log("long_job runs in task " + current_task().get_name());
  co_await sleep(100s);
  co_return "long";
}

Coro<void> ticker() {
  for (int i = 0; i < 2; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(waitfor_no_timeout) {
  log("wait_for(coro, None) returned " + co_await wait_for(long_job(), std::nullopt));
  Future<std::string> f = Loop::current()->create_future<std::string>();
  f.set_result("ready");
  create_task(ticker(), "ticker");
  log("wait_for(done future, None) returned " + co_await wait_for(f, std::nullopt));
  co_await sleep(0s);
  log("main finishes");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
