// Port of scenarios/gather_cancel_message_from_last_child.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Duration secs(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

Coro<std::string> child(std::string name, double delay) {
  co_await sleep(secs(delay));
  log(name + " finishes");
  co_return name;
}

Coro<void> run(std::string label, std::vector<std::pair<std::string, double>> order) {
  std::vector<Task<std::string>> tasks;
  for (const auto& [n, d] : order) tasks.push_back(create_task(child(n, d), n));
  auto g = gather(return_exceptions, tasks);
  co_await sleep(1s);
  g.cancel("stop " + label);
  try {
    co_await g;
  } catch (const CancelledError& e) {
    log(label + ": gather raised CancelledError msg=" + e.message());
  }
  for (const Task<std::string>& t : tasks) {
    try {
      co_await t;
      log(label + ": " + t.get_name() + " returned");
    } catch (const CancelledError& e) {
      log(label + ": awaiting " + t.get_name() + " raised CancelledError msg=" + e.message());
    }
  }
}

// Built outside the coroutine: GCC rejects a braced list of strings in a coroutine body
// ("array used as initializer").
using Order = std::vector<std::pair<std::string, double>>;
Order order_a() { return {{"slow1", 5}, {"quick1", 0.5}}; }
Order order_b() { return {{"quick2", 0.5}, {"slow2", 5}, {"slow3", 5}}; }

CONFORMANCE_SCENARIO(gather_cancel_message_from_last_child) {
  co_await run("A", order_a());
  co_await run("B", order_b());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
