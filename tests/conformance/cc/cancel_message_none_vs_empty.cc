// Port of scenarios/cancel_message_none_vs_empty.py.
#include <optional>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// Python's e.args of a CancelledError.
std::string args_of(const CancelledError& e) {
  return e.has_message() ? "('" + e.message() + "',)" : "()";
}

// Python's repr() of the message argument.
std::string repr(const std::optional<std::string>& msg) { return msg ? "'" + *msg + "'" : "None"; }

Coro<void> sleeper() { co_await sleep(5s); }

template <class F>
Coro<void> report(std::string name, F aw) {
  try {
    co_await aw;
  } catch (const CancelledError& e) {
    log(name + ": CancelledError args=" + args_of(e));
  }
}

CONFORMANCE_SCENARIO(cancel_message_none_vs_empty) {
  for (std::optional<std::string> msg :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("stop")}) {
    Task<void> t = create_task(sleeper());
    co_await sleep(0s);
    t.cancel(msg);
    co_await report("task cancel(" + repr(msg) + ")", t);

    Future<void> f = Loop::current()->create_future<void>();
    f.cancel(msg);
    co_await report("future cancel(" + repr(msg) + ")", f);

    std::vector<Task<void>> children{create_task(sleeper()), create_task(sleeper())};
    co_await sleep(0s);
    children[0].cancel(msg);
    children[1].cancel("other");
    std::vector<Outcome<void>> results = co_await gather(return_exceptions, children);
    std::string line = "gather outcomes (" + repr(msg) + "):";
    for (Outcome<void>& r : results) {
      try {
        std::rethrow_exception(r.exception());
      } catch (const CancelledError& e) {
        line += " " + args_of(e);
      }
    }
    log(line);

    Future<std::tuple<std::monostate, std::monostate>> g = gather(sleeper(), sleeper());
    co_await sleep(0s);
    g.cancel(msg);
    co_await report("gather cancel(" + repr(msg) + ")", g);
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
