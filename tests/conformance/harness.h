// The C++ side of the conformance suite: each scenario ports one Python scenario from
// scenarios/<name>.py and must print exactly the log in expected/<name>.log.
//
//   CONFORMANCE_SCENARIO(cancel_sleeping_task) {      // a Coro<std::string> body
//     log("main starts");
//     co_await lockstep::sleep(1s);
//     co_return "None";                              // what Python's str(result) prints
//   }
//
// log() prints "t=<virtual seconds, 3 decimals> <message>", like vtloop.log. The harness
// runs the body as main under lockstep::run() (main task named "main") and adds the
// outcome line: "main returned <value>" or "main raised <Type>: <message>".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep::conformance {

// Python's exception types, for ports of scenarios that raise them. The outcome line
// names a C++ exception by its unqualified type name, so these print as in Python.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct KeyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ZeroDivisionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Appends "t=<loop time> <message>" to the running scenario's log.
void log(const std::string& message);

// "CancelledError: msg", "ValueError: msg": the type as Python names it, and the message.
std::string python_name(const std::exception_ptr& e);
// Just the type as Python names it: type(e).__name__, e.g. "ValueError".
std::string python_type(const std::exception_ptr& e);
// str(e) as Python prints it: lockstep's own errors start with "lockstep: ", which
// asyncio's messages do not have.
std::string python_message(const std::exception& e);

// Python's str() of a bool.
inline std::string py(bool b) { return b ? "True" : "False"; }

using ScenarioMain = std::function<Coro<std::string>()>;

// Registry of the ported scenarios, by name.
std::map<std::string, ScenarioMain>& scenarios();
struct Register {
  Register(const char* name, ScenarioMain main) { scenarios().emplace(name, std::move(main)); }
};

// Runs scenario `name` and returns its log lines, outcome line included. `decisions`:
// the run's decision source (nullptr: none, plain asyncio). `driver`: nullptr for a fresh
// VirtualDriver; else the driver to run on (an EpollDriver: real time).
std::vector<std::string> run_scenario(const std::string& name, DecisionSource* decisions = nullptr,
                                      Driver* driver = nullptr);

}  // namespace lockstep::conformance

#define CONFORMANCE_SCENARIO(name)                                                                 \
  static ::lockstep::Coro<std::string> conformance_##name();                                       \
  static ::lockstep::conformance::Register conformance_register_##name(#name, conformance_##name); \
  static ::lockstep::Coro<std::string> conformance_##name()
