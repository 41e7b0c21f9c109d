// Port of scenarios/wait_already_done_inputs.py.
#include <algorithm>

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

Coro<std::string> quick(std::string name, int yields) {
  for (int i = 0; i < yields; ++i) co_await sleep(0s);
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

CONFORMANCE_SCENARIO(wait_already_done_inputs) {
  Task<std::string> finished = create_task(quick("finished", 0), "finished");
  co_await sleep(0s);
  create_task(ticker(), "ticker");
  Task<std::string> soon = create_task(quick("soon", 1), "soon");
  Task<std::string> later = create_task(quick("later", 3), "later");
  log("main calls wait");
  std::vector<Task<std::string>> all{finished, soon, later};
  auto [done, pending] = co_await wait(all, FIRST_COMPLETED);
  log("done " + names(done, all) + " pending " + names(pending, all));
  co_await later;
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
