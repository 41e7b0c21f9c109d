// A trace as Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing.
//
//   lockstep::export_chrome(lockstep::read_trace("run.trace"), std::cout);
//
// One row per task (named "name (task N)", in creation order; row 0 is the loop itself):
// a slice for the task's life from creation to its end, nested slices for its steps
// where the strategy charged them virtual time, and an instant marker for each decision,
// log line and event (started, cancel requested, timer fired, failed, ...). Times are
// virtual, in microseconds with nanosecond precision.
#pragma once

#include <ostream>

#include "replay/trace_file.h"

namespace lockstep {

void export_chrome(const Trace& trace, std::ostream& out);

}  // namespace lockstep
