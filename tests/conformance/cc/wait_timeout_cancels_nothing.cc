// Port of scenarios/wait_timeout_cancels_nothing.py.
#include <algorithm>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay) {
  co_await sleep(std::chrono::seconds(delay));
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

CONFORMANCE_SCENARIO(wait_timeout_cancels_nothing) {
  Task<std::string> a = create_task(child("a", 1), "a");
  Task<std::string> b = create_task(child("b", 3), "b");
  Task<std::string> c = create_task(child("c", 4), "c");
  std::vector<Task<std::string>> all{a, b, c};
  auto r = co_await wait(all, ALL_COMPLETED, 2s);
  log("done " + names(r.done, all) + " pending " + names(r.pending, all));
  log("b cancelled=" + py(b.cancelled()) + " c cancelled=" + py(c.cancelled()));
  r = co_await wait(r.pending, ALL_COMPLETED, 10s);
  log("done " + names(r.done, all) + " pending " + names(r.pending, all));
  std::vector<Task<std::string>> ab{a, b};
  r = co_await wait(ab, ALL_COMPLETED, 0s);
  log("all already done, timeout 0: done " + names(r.done, all) + " pending " +
      names(r.pending, all));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
