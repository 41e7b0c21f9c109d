#include "tests/conformance/harness.h"

#include <cstdio>
#include <memory>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

namespace lockstep::conformance {
namespace {

std::vector<std::string>* current_log = nullptr;
Driver* current_clock = nullptr;

std::string stamp(TimePoint t, const std::string& message) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "t=%.3f ", to_seconds(t));
  return buf + message;
}

std::string unqualified(std::string name) {
  // Drop namespaces and template arguments: "lockstep::conformance::ValueError" -> "ValueError".
  if (auto pos = name.rfind("::"); pos != std::string::npos) name = name.substr(pos + 2);
  return name;
}

}  // namespace

void log(const std::string& message) {
  current_log->push_back(stamp(current_clock->now(), message));
}

std::string python_name(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError& c) {
    return "CancelledError: " + c.message();
  } catch (const DeadlockError&) {
    return "RuntimeError: deadlock";  // vtloop's name for it
  } catch (const std::exception& x) {
    std::string type = typeid(x).name();
#if __has_include(<cxxabi.h>)
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> d(
        abi::__cxa_demangle(type.c_str(), nullptr, nullptr, &status), std::free);
    if (status == 0) type = d.get();
#endif
    return unqualified(type) + ": " + python_message(x);
  }
}

std::string python_message(const std::exception& e) {
  constexpr std::string_view kPrefix = "lockstep: ";
  std::string_view what = e.what();
  if (what.substr(0, kPrefix.size()) == kPrefix) what.remove_prefix(kPrefix.size());
  return std::string(what);
}

std::string python_type(const std::exception_ptr& e) {
  std::string name = python_name(e);
  return name.substr(0, name.find(": "));
}

std::map<std::string, ScenarioMain>& scenarios() {
  static auto* all = new std::map<std::string, ScenarioMain>();
  return *all;
}

std::vector<std::string> run_scenario(const std::string& name, DecisionSource* decisions,
                                      Driver* driver) {
  std::vector<std::string> lines;
  VirtualDriver virtual_clock;
  Driver& clock = driver ? *driver : virtual_clock;
  current_log = &lines;
  current_clock = &clock;
  RunOptions options;
  options.driver = &clock;
  options.decisions = decisions;
  options.main_task_name = "main";
  options.exception_handler = [](Loop&, const ExceptionContext& c) {
    // vtloop's handler is asyncio's default: it logs to stderr, not to the scenario log.
    std::fprintf(stderr, "[%s] %s\n", c.task.c_str(), c.message.c_str());
  };
  std::string outcome;
  try {
    std::string result = run(scenarios().at(name)(), std::move(options));
    outcome = "main returned " + result;
  } catch (...) {
    outcome = "main raised " + python_name(std::current_exception());
  }
  lines.push_back(stamp(clock.now(), outcome));
  current_log = nullptr;
  current_clock = nullptr;
  return lines;
}

}  // namespace lockstep::conformance
