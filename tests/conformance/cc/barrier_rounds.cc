// Port of scenarios/barrier_rounds.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> party(Barrier& barrier, std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
  log(name + " arrives n_waiting=" + std::to_string(barrier.n_waiting()));
  const int index = co_await barrier.wait();
  log(name + " passed index=" + std::to_string(index) +
      " n_waiting=" + std::to_string(barrier.n_waiting()));
}

CONFORMANCE_SCENARIO(barrier_rounds) {
  Barrier barrier(3);
  log("parties=" + std::to_string(barrier.parties()) + " broken=" + py(barrier.broken()));
  std::vector<Task<void>> tasks;
  const std::pair<const char*, int> parties[] = {{"a", 0}, {"b", 1}, {"c", 2},
                                                 {"d", 2}, {"e", 3}, {"f", 3}};
  for (auto [n, d] : parties) tasks.push_back(create_task(party(barrier, n, d), n));
  for (Task<void>& t : tasks) co_await t;
  log("n_waiting=" + std::to_string(barrier.n_waiting()) + " broken=" + py(barrier.broken()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
