// Port of scenarios/self_cancel.py.
#include <optional>
#include <utility>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// The coroutines return None or an int, as in Python.
using MaybeInt = std::optional<int>;

std::string str(const MaybeInt& v) { return v ? std::to_string(*v) : "None"; }

Coro<MaybeInt> cancels_then_awaits() {
  current_task().cancel("self");
  log("awaiter still running after self-cancel");
  try {
    co_await sleep(5s);
  } catch (const CancelledError& e) {
    log("awaiter caught CancelledError msg=" + e.message());
    throw;
  }
  co_return std::nullopt;
}

Coro<MaybeInt> cancels_then_returns() {
  current_task().cancel("self-return");
  log("returner returns 9");
  co_return 9;
}

CONFORMANCE_SCENARIO(self_cancel) {
  std::pair<Coro<MaybeInt>, std::string> pairs[] = {{cancels_then_awaits(), "awaiter"},
                                                    {cancels_then_returns(), "returner"}};
  for (auto& [coro, name] : pairs) {
    Task<MaybeInt> task = create_task(std::move(coro), name);
    try {
      log(name + " returned " + str(co_await task));
    } catch (const CancelledError& e) {
      log(name + " ended cancelled msg=" + e.message());
    }
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
