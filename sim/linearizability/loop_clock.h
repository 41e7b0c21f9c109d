// The clock a Recorder (recorder.h) reads under a lockstep loop: the running loop's
// global virtual time, in nanoseconds, the same for every simulated node.
//
//   lockstep::lin::Recorder rec(lockstep::lin::loop_clock());
//   int id = rec.invoke(client, "write", {v});   // stamped with the virtual time now
//
// Reading it with no running loop throws HistoryError.
#pragma once

#include "sim/linearizability/recorder.h"

namespace lockstep::lin {

Recorder::Clock loop_clock();

}  // namespace lockstep::lin
