// Port of scenarios/wait_first_completed_simultaneous.py.
#include <algorithm>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int extra_yields) {
  co_await sleep(1s);
  for (int i = 0; i < extra_yields; ++i) co_await sleep(0s);
  log(name + " finishes");
  co_return name;
}

// Python's sorted(t.get_name() for t in fs), as a list repr.
std::string names(const std::vector<Future<std::string>>& fs,
                  const std::vector<Task<std::string>>& tasks) {
  std::vector<std::string> out;
  for (const auto& f : fs)
    for (const auto& t : tasks)
      if (f == t) out.push_back(t.get_name());
  std::sort(out.begin(), out.end());
  std::string s = "[";
  for (std::size_t i = 0; i < out.size(); ++i) s += (i ? ", '" : "'") + out[i] + "'";
  return s + "]";
}

CONFORMANCE_SCENARIO(wait_first_completed_simultaneous) {
  std::vector<Task<std::string>> tasks;
  tasks.push_back(create_task(child("a", 0), "a"));
  tasks.push_back(create_task(child("b", 0), "b"));
  tasks.push_back(create_task(child("c", 1), "c"));
  tasks.push_back(create_task(child("d", 2), "d"));
  tasks.push_back(create_task(child("e", 3), "e"));
  auto [done, pending] = co_await wait(tasks, FIRST_COMPLETED);
  log("done " + names(done, tasks));
  log("pending " + names(pending, tasks));
  co_await wait(pending);
  log("all finished");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
