// Port of scenarios/waitfor_inner_done_at_deadline.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<std::string> inner(std::string name, int delay) {
  try {
    co_await sleep(std::chrono::seconds(delay));
  } catch (const CancelledError&) {
    log(name + " cancelled in its sleep");
    throw;
  }
  log(name + " finishes");
  co_return name;
}

// `aw` is a Coro<std::string> or a Future<std::string>.
template <class A>
Coro<void> attempt(std::string label, A aw, Duration timeout) {
  try {
    log(label + ": returned " + co_await wait_for(std::move(aw), timeout));
  } catch (const TimeoutError&) {
    log(label + ": TimeoutError");
  }
}

CONFORMANCE_SCENARIO(waitfor_inner_done_at_deadline) {
  Loop& loop = *Loop::current();
  co_await attempt("coroutine", inner("coro", 1), 1s);
  Task<std::string> t = create_task(inner("task", 1), "task");
  co_await sleep(0s);
  co_await attempt("started task", Future<std::string>(t), 1s);
  log("task cancelled=" + py(t.cancelled()));
  Future<std::string> f = loop.create_future<std::string>();
  loop.call_later(1s, [f]() mutable { f.set_result("f value"); });
  co_await attempt("future", f, 1s);
  log("future done=" + py(f.done()) + " result=" + f.result());
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
