// Port of scenarios/call_later_zero_joins_next_batch.py.
#include <optional>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

void cb(std::string name, std::optional<std::string> then = std::nullopt) {
  log("cb " + name);
  if (then) Loop::current()->call_soon([then = *then] { cb(then); });
}

CONFORMANCE_SCENARIO(call_later_zero_joins_next_batch) {
  Loop& loop = *Loop::current();
  loop.call_soon([] { cb("soon1", "soon1-child"); });
  loop.call_later(0s, [] { cb("later0"); });
  loop.call_at(loop.time() - 5s, [] { cb("at-minus-5"); });
  loop.call_later(-1s, [] { cb("later-minus-1"); });
  loop.call_soon([] { cb("soon2"); });
  log("scheduled");
  co_await sleep(0s);
  log("main resumed after sleep(0)");
  co_await sleep(0s);
  log("main resumed again");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
