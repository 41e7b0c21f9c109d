// Port of scenarios/gather_nested.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> child(std::string name, int delay, bool fail = false) {
  try {
    co_await sleep(std::chrono::seconds(delay));
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message());
    throw;
  }
  if (fail) {
    log(name + " raises ValueError");
    throw ValueError(name);
  }
  log(name + " finishes");
  co_return name;
}

CONFORMANCE_SCENARIO(gather_nested) {
  Task<std::string> a = create_task(child("a", 5), "a");
  Task<std::string> b = create_task(child("b", 5), "b");
  Task<std::string> c = create_task(child("c", 5), "c");
  auto inner = gather(a, b);
  auto outer = gather(inner, c);
  co_await sleep(1s);
  log("outer.cancel returned " + py(outer.cancel("deep")));
  try {
    co_await outer;
  } catch (const CancelledError& e) {
    log("outer raised CancelledError msg=" + e.message());
  }
  log("inner done=" + py(inner.done()));

  Task<std::string> d = create_task(child("d", 1, true), "d");
  Task<std::string> e = create_task(child("e", 3), "e");
  Task<std::string> f = create_task(child("f", 2), "f");
  try {
    co_await gather(gather(d, e), f);
  } catch (const ValueError& exc) {
    log(std::string("outer raised ValueError ") + exc.what());
  }
  log("e done=" + py(e.done()) + " f done=" + py(f.done()));
  co_await gather(e, f);
  log("e and f finished");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
