// Port of scenarios/future_result_errors.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// fn returns Python's str() of its value.
template <class F>
void attempt(const std::string& label, F fn) {
  std::string value;
  try {
    value = fn();
  } catch (const CancelledError& e) {
    log(label + " raised CancelledError msg=" + e.message());
    return;
  } catch (const std::exception&) {
    log(label + " raised " + python_type(std::current_exception()));
    return;
  }
  log(label + " returned " + value);
}

// str() of what Future.exception() returns: None, or the exception's message.
std::string str(const std::exception_ptr& e) {
  if (!e) return "None";
  std::string name = python_name(e);
  return name.substr(name.find(": ") + 2);
}

CONFORMANCE_SCENARIO(future_result_errors) {
  Loop& loop = *Loop::current();
  Future<int> pending = loop.create_future<int>();
  attempt("pending.result()", [&] { return std::to_string(pending.result()); });
  attempt("pending.exception()", [&] { return str(pending.exception()); });
  pending.set_result(1);
  attempt("second set_result", [&] {
    pending.set_result(2);
    return std::string("None");
  });
  attempt("cancel of done", [&] { return py(pending.cancel()); });
  attempt("result still", [&] { return std::to_string(pending.result()); });
  Future<int> failed = loop.create_future<int>();
  failed.set_exception(ValueError("bad"));
  attempt("failed.exception() type", [&] { return python_type(failed.exception()); });
  attempt("failed.result()", [&] { return std::to_string(failed.result()); });
  Future<int> cancelled = loop.create_future<int>();
  attempt("cancel('stop')", [&] { return py(cancelled.cancel("stop")); });
  attempt("cancelled.result()", [&] { return std::to_string(cancelled.result()); });
  attempt("cancelled.result() again", [&] { return std::to_string(cancelled.result()); });
  attempt("cancelled.exception()", [&] { return str(cancelled.exception()); });
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
