// Port of scenarios/nested_inline_exception.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> level3() {
  try {
    co_await sleep(1s);
    throw ValueError("deep");
  } catch (...) {
    log("level3 finally");
    throw;
  }
  log("level3 finally");
}

Coro<void> level2() {
  try {
    co_await level3();
  } catch (...) {
    log("level2 finally");
    throw;
  }
  log("level2 finally");
}

Coro<void> level1() {
  try {
    co_await level2();
  } catch (...) {
    log("level1 finally");
    throw;
  }
  log("level1 finally");
}

Coro<void> bystander() {
  co_await sleep(1s);
  log("bystander woke at 1");
}

CONFORMANCE_SCENARIO(nested_inline_exception) {
  create_task(bystander(), "bystander");
  try {
    co_await level1();
  } catch (const ValueError& e) {
    log(std::string("main caught ValueError ") + e.what());
  }
  co_await sleep(0s);
  log("main done");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
