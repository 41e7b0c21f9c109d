// Helpers shared by the loop tests: an event log and an exception-handler capture.
#pragma once

#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep::testing {

// Collects "what happened" lines; tests compare the whole sequence.
struct EventLog {
  std::vector<std::string> lines;
  void operator()(std::string line) { lines.push_back(std::move(line)); }
};

// LoopOptions whose exception handler appends "message[: exception]" to `out`.
inline LoopOptions capture_errors(std::vector<std::string>& out) {
  LoopOptions o;
  o.exception_handler = [&out](Loop&, const ExceptionContext& c) {
    std::string s = c.message;
    if (!c.task.empty()) s += " [" + c.task + "]";
    if (c.exception) s += ": " + describe_exception(c.exception);
    out.push_back(s);
  };
  return o;
}

}  // namespace lockstep::testing
