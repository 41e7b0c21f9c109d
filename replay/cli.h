// The `lockstep` command-line tool: read, compare and export trace files.
//
//   lockstep show [--salvage] TRACE           a readable timeline: number (d12, e40, l3:
//                                             for LOCKSTEP_BREAK_AT), time, task, event
//   lockstep stats [--salvage] TRACE          counts by kind and by task, duration, size
//   lockstep diff A B                         the first decision where two traces differ
//   lockstep export --format=chrome TRACE     Chrome trace-event JSON (Perfetto, chrome://tracing)
//   BINARY replay TRACE [--break-at=e40]      run the program again (a binary with Programs);
//                                             --break-at: SIGTRAP there, for gdb
//                                             (docs/debugging.md)
//   BINARY shrink TRACE [--out=F] [--max-runs=N] [--max-seconds=S]
//                                             the smallest run that still fails the same way
//
// --salvage (show, stats, export) reads around damaged blocks (format 3: records) and
// says what it skipped; decisions after a gap cannot be trusted for replay.
//
// Exit codes: 0 success (diff: the traces agree), 1 diff found a difference, 2 bad
// usage, 3 a trace could not be read (a damaged one: "corrupt block at offset N"), 4
// --salvage skipped damaged bytes (what is intact was printed).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "replay/programs.h"

namespace lockstep::cli {

// Runs the tool on `args` (without the program name), printing to `out` and `err`. With
// `programs`, `replay` and `shrink` can run the programs traces name. `terminal`: `err`
// is a terminal, so progress lines update in place (else: one every 2 seconds at most).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Programs* programs = nullptr, bool terminal = false);

// main() for a binary: resolves relative paths against the directory `bazel run` was
// started from, runs the tool on stdout and stderr.
int main(int argc, char** argv, const Programs* programs = nullptr);

}  // namespace lockstep::cli
