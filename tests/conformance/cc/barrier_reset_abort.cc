// Port of scenarios/barrier_reset_abort.py.
#include <sstream>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> party(Barrier& barrier, std::string name) {
  try {
    const int index = co_await barrier.wait();
    log(name + " passed index=" + std::to_string(index));
  } catch (const BrokenBarrierError& e) {
    log(name + " BrokenBarrierError: " + e.what() + " broken=" + py(barrier.broken()));
  }
}

// `names` is space-separated: GCC 12 cannot keep an initializer_list's array across a
// co_await in the calling full-expression ("array used as initializer").
Coro<std::vector<Task<void>>> run_parties(Barrier& barrier, std::string names) {
  std::vector<Task<void>> tasks;
  std::istringstream in(names);
  for (std::string n; in >> n;) tasks.push_back(create_task(party(barrier, n), n));
  co_await sleep(0s);
  log("n_waiting=" + std::to_string(barrier.n_waiting()));
  co_return tasks;
}

void append(std::vector<Task<void>>& to, std::vector<Task<void>> more) {
  to.insert(to.end(), more.begin(), more.end());
}

CONFORMANCE_SCENARIO(barrier_reset_abort) {
  Barrier barrier(3);
  std::vector<Task<void>> tasks = co_await run_parties(barrier, "a b");
  co_await barrier.reset();
  log("reset n_waiting=" + std::to_string(barrier.n_waiting()) + " broken=" + py(barrier.broken()));
  append(tasks, co_await run_parties(barrier, "c d e"));
  append(tasks, co_await run_parties(barrier, "f"));
  co_await barrier.abort();
  log("aborted broken=" + py(barrier.broken()));
  append(tasks, co_await run_parties(barrier, "g"));
  for (Task<void>& t : tasks) co_await t;
  co_await barrier.reset();
  log("reset broken=" + py(barrier.broken()));
  tasks = co_await run_parties(barrier, "h i j");
  for (Task<void>& t : tasks) co_await t;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
