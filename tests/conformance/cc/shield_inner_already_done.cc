// Port of scenarios/shield_inner_already_done.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> ticker() {
  for (int i = 0; i < 3; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(shield_inner_already_done) {
  Loop& loop = *Loop::current();
  Future<std::string> done = loop.create_future<std::string>();
  done.set_result("ready");
  Future<std::string> s = shield(done);
  log("shield(done) returns the same future: " + py(s == done));
  create_task(ticker(), "ticker");
  log("got " + co_await s + " without yielding");
  Future<std::string> pending = loop.create_future<std::string>();
  Future<std::string> s2 = shield(pending);
  log("shield(pending) returns the same future: " + py(s2 == pending));
  pending.set_result("later");
  log("inner done=" + py(pending.done()) + " outer done=" + py(s2.done()));
  log("got " + co_await s2);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
