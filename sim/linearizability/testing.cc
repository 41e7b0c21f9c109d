#include "sim/linearizability/testing.h"

#include "sim/linearizability/export.h"
#include "sim/trace_sink.h"

namespace lockstep::lin {

namespace {

void log_lines(const std::string& prefix, const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lockstep::log(prefix + text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

void record_in_trace(const History& history, const CheckResult& result, std::size_t max_ops) {
  log_lines("linearizability: ", result.text);
  const bool whole = history.size() <= max_ops;
  const History& shown = whole || result.prefix.empty() ? history : result.prefix;
  if (shown.size() > max_ops) {
    lockstep::log("linearizability: history of " + std::to_string(history.size()) +
                  " operations, too long for the trace");
    return;
  }
  lockstep::log(std::string("linearizability: ") +
                (whole ? "the history" : "the smallest illegal prefix") + " (Jepsen EDN, " +
                std::to_string(shown.size()) + " operations):");
  log_lines("linearizability: ", to_edn(shown));
}

}  // namespace lockstep::lin
