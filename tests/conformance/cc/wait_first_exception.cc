// Port of scenarios/wait_first_exception.py.
#include <algorithm>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay, bool fail = false) {
  co_await sleep(std::chrono::seconds(delay));
  if (fail) {
    log(name + " raises ValueError");
    throw ValueError(name);
  }
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

CONFORMANCE_SCENARIO(wait_first_exception) {
  Task<std::string> cancelled = create_task(child("cancelled", 5), "cancelled");
  Task<std::string> failing = create_task(child("failing", 2, true), "failing");
  Task<std::string> slow = create_task(child("slow", 3), "slow");
  Loop::current()->call_later(1s, [cancelled]() mutable { cancelled.cancel(); });
  std::vector<Task<std::string>> all{cancelled, failing, slow};
  auto r = co_await wait(all, FIRST_EXCEPTION);
  log("done " + names(r.done, all) + " pending " + names(r.pending, all));
  try {
    std::rethrow_exception(failing.exception());
  } catch (const ValueError& e) {
    log(std::string("failing exception: ") + e.what());
  }
  std::vector<Task<std::string>> only_slow{slow};
  r = co_await wait(only_slow, FIRST_EXCEPTION);
  log("done " + names(r.done, all) + " pending " + names(r.pending, all));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
