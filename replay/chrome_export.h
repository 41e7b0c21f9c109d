// A trace as Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing.
//
//   lockstep::export_chrome(lockstep::read_trace("run.trace"), std::cout);
//
// One row per task (named "name (task N)", in creation order; row 0 is the loop itself),
// for seeing why a run failed:
// - a slice for the task's life, named with how it ended ("worker: failed: ValueError: x");
// - inside it, one after the other, its steps ("running", with the virtual time the
//   strategy charged them) and its waits ("waiting on Queue.get() of ...", "waiting on
//   Task 'b'", "waiting on sleep(0.5s)"), from the task_suspended and task_woken events;
//   a step or wakeup that took no virtual time is shown 1/250 of the run wide, and the
//   slices of a row are laid out so that they do not overlap (recorded times in args);
// - flow arrows from the task that woke a task (its step completed what the task awaited,
//   or its end did) or from the timer's task ("timer wakes"), and from a cancel's
//   requester to the cancelled task ("cancels"), and from a simulated network message's
//   sender (net_send) to the task its arrival woke, or to the loop's row ("message");
// - an instant marker for each decision, log line and other event (timers fired: "timer",
//   network sends and arrivals: "net").
// Tasks the loop creates after the main task ended (run()'s shutdown steps) get no row.
// Times are virtual, in microseconds with nanosecond precision.
// replay/tools/render_timeline.sh draws an export headless, without Perfetto.
#pragma once

#include <ostream>

#include "replay/trace_file.h"

namespace lockstep {

void export_chrome(const Trace& trace, std::ostream& out);

}  // namespace lockstep
