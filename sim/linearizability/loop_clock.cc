#include "sim/linearizability/loop_clock.h"

#include "loop/loop.h"

namespace lockstep::lin {

Recorder::Clock loop_clock() {
  return [] {
    Loop* loop = Loop::current();
    if (!loop) throw HistoryError("recorder: loop_clock() read with no running loop");
    return static_cast<std::int64_t>(loop->global_time().time_since_epoch().count());
  };
}

}  // namespace lockstep::lin
