// Port of scenarios/sleep0_round_robin.py.
#include <utility>
#include <vector>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<int> spinner(std::string name, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    log(name + " round " + std::to_string(i));
    co_await sleep(0s);
  }
  log(name + " done");
  co_return rounds;
}

CONFORMANCE_SCENARIO(sleep0_round_robin) {
  std::vector<Task<int>> tasks;
  for (auto [name, rounds] : {std::pair<std::string, int>{"a", 3}, {"b", 1}, {"c", 2}})
    tasks.push_back(create_task(spinner(name, rounds), name));
  int total = 0;
  for (Task<int>& task : tasks) total += co_await task;
  log("main total " + std::to_string(total));
  co_return std::to_string(total);
}

}  // namespace
}  // namespace lockstep::conformance
