// Port of scenarios/gather_duplicates.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(gather_duplicates) {
  Loop& loop = *Loop::current();
  Task<std::string> a = create_task(child("a", 1), "a");
  Task<std::string> b = create_task(child("b", 2), "b");
  Future<std::string> f = loop.create_future<std::string>();
  loop.call_later(1500ms, [f]() mutable { f.set_result("f"); });
  auto [r0, r1, r2, r3, r4, r5] = co_await gather(a, b, a, f, a, f);
  log("results ['" + r0 + "', '" + r1 + "', '" + r2 + "', '" + r3 + "', '" + r4 + "', '" + r5 +
      "']");
  Task<std::string> bad = create_task(child("bad", 1), "bad");
  bad.cancel("dup");
  auto [o0, o1] = co_await gather(return_exceptions, bad, bad);
  log("outcomes ['" + python_type(o0.exception()) + "', '" + python_type(o1.exception()) + "']");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
