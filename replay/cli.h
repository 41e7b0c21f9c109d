// The `lockstep` command-line tool: read, compare and export trace files.
//
//   lockstep show TRACE                       a readable timeline: time, task, event
//   lockstep stats TRACE                      counts by kind and by task, duration, size
//   lockstep diff A B                         the first decision where two traces differ
//   lockstep export --format=chrome TRACE     Chrome trace-event JSON (Perfetto, chrome://tracing)
//
// Exit codes: 0 success (diff: the traces agree), 1 diff found a difference, 2 bad
// usage, 3 a trace could not be read.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace lockstep::cli {

// Runs the tool on `args` (without the program name), printing to `out` and `err`.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace lockstep::cli
