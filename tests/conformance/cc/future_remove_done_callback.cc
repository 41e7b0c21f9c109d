// Port of scenarios/future_remove_done_callback.py. Python removes a callback by function
// identity, every registration of it; lockstep removes by the CallbackId each
// registration returned, so the port keeps the ids of each function's registrations.
#include <vector>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// fut.remove_done_callback(fn): removes every registration of fn; returns how many.
std::size_t remove_done_callback(Future<std::string>& fut, const std::vector<CallbackId>& fn) {
  std::size_t removed = 0;
  for (CallbackId id : fn) removed += fut.remove_done_callback(id);
  return removed;
}

CONFORMANCE_SCENARIO(future_remove_done_callback) {
  Loop& loop = *Loop::current();
  Future<std::string> fut = loop.create_future<std::string>();

  auto a = [](Future<std::string>&) { log("cb a"); };
  auto b = [](Future<std::string>&) { log("cb b"); };
  auto c = [](Future<std::string>&) { log("cb c"); };
  std::vector<CallbackId> a_ids, b_ids, c_ids;

  a_ids.push_back(fut.add_done_callback(a));
  b_ids.push_back(fut.add_done_callback(b));
  a_ids.push_back(fut.add_done_callback(a));
  c_ids.push_back(fut.add_done_callback(c));
  log("removed a: " + std::to_string(remove_done_callback(fut, a_ids)));
  log("removed a again: " + std::to_string(remove_done_callback(fut, a_ids)));
  fut.set_result(std::string("x"));
  log("removed c after set_result: " + std::to_string(remove_done_callback(fut, c_ids)));
  co_await sleep(0s);
  log("main resumed");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
