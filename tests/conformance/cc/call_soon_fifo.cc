// Port of scenarios/call_soon_fifo.py.
#include <optional>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

void cb(std::string name, std::optional<std::string> then = std::nullopt) {
  log("cb " + name);
  if (then) Loop::current()->call_soon([then = *then] { cb(then); });
}

CONFORMANCE_SCENARIO(call_soon_fifo) {
  Loop& loop = *Loop::current();
  loop.call_soon([] { cb("a", "a-child"); });
  loop.call_soon([] { cb("b", "b-child"); });
  loop.call_soon([] { cb("c"); });
  log("scheduled a b c");
  co_await sleep(0s);
  log("main resumed after first sleep(0)");
  co_await sleep(0s);
  log("main resumed after second sleep(0)");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
