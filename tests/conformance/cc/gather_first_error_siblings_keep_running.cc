// Port of scenarios/gather_first_error_siblings_keep_running.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

Coro<std::string> child(std::string name, int delay, bool fail) {
  co_await sleep(std::chrono::seconds(delay));
  if (fail) {
    log(name + " raises ValueError");
    throw ValueError(name);
  }
  log(name + " finishes");
  co_return name;
}

// str(exc) of a non-cancellation exception.
std::string str(const std::exception_ptr& e) {
  std::string s = python_name(e);
  return s.substr(s.find(": ") + 2);
}

CONFORMANCE_SCENARIO(gather_first_error_siblings_keep_running) {
  Task<std::string> a = create_task(child("a", 3, false), "a");
  Task<std::string> b = create_task(child("b", 1, true), "b");
  Task<std::string> c = create_task(child("c", 2, true), "c");
  auto g = gather(a, b, c);
  try {
    co_await g;
  } catch (const ValueError& e) {
    log(std::string("gather raised ValueError ") + e.what());
  }
  log("a done=" + py(a.done()) + " c done=" + py(c.done()) + " gather done=" + py(g.done()));
  log("gather.cancel() returned " + py(g.cancel()));
  log("a returned " + co_await a);
  log("c cancelled=" + py(c.cancelled()) + " exception=" + str(c.exception()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
