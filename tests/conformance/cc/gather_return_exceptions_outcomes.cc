// Port of scenarios/gather_return_exceptions_outcomes.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay, bool fail) {
  co_await sleep(std::chrono::seconds(delay));
  if (fail) throw ValueError(name + " failed");
  co_return name + " ok";
}

Coro<std::string> sleeper() {
  co_await sleep(10s);
  co_return "None";
}

// Python's describe(): the value, or "Type(message)" for an exception.
std::string describe(Outcome<std::string>& r) {
  if (r.ok()) return r.value();
  std::string s = python_name(r.exception());
  std::size_t sep = s.find(": ");
  return s.substr(0, sep) + "(" + s.substr(sep + 2) + ")";
}

CONFORMANCE_SCENARIO(gather_return_exceptions_outcomes) {
  Task<std::string> ok = create_task(child("ok", 2, false), "ok");
  Task<std::string> bad = create_task(child("bad", 1, true), "bad");
  Task<std::string> task_cancelled = create_task(sleeper(), "sleeper");
  Future<std::string> fut_cancelled = Loop::current()->create_future<std::string>();
  auto g = gather(return_exceptions, ok, bad, task_cancelled, fut_cancelled);
  co_await sleep(500ms);
  task_cancelled.cancel("task msg");
  fut_cancelled.cancel("future msg");
  auto [r0, r1, r2, r3] = co_await g;
  log("result 0: " + describe(r0));
  log("result 1: " + describe(r1));
  log("result 2: " + describe(r2));
  log("result 3: " + describe(r3));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
