// The interface through which a fault plan (faults/fault_plan.h) injects faults into a
// simulated run. sim/ asks it at the points below; it decides through the simulation's
// decisions (SimDecisions::choose_*), so whatever it does is recorded and replays.
#pragma once

#include <exception>
#include <string>

#include "loop/clock.h"
#include "loop/decision_source.h"

namespace lockstep {

class SimDecisions;
struct WorldPlan;

class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // An error for the await `await` to raise now, or null.
  virtual std::exception_ptr at_await(SimDecisions& sim, const AwaitInfo& await) = 0;
  // Extra lateness for a timer being armed (on top of the strategy's).
  virtual Duration timer_delay(SimDecisions& sim) = 0;
  // Extra duration for executor job `job` (on top of the strategy's).
  virtual Duration job_delay(SimDecisions& sim, std::uint64_t job) = 0;
  // An error for executor job `job` to fail with (instead of running), or null.
  virtual std::exception_ptr job_error(SimDecisions& sim, std::uint64_t job) = 0;
  // Whether it may act at awaits (if not, awaits are not asked about), on job results.
  virtual bool acts_at_awaits() const = 0;
  virtual bool acts_on_jobs() const = 0;
  // The plan, as the text that rebuilds it (stored in trace headers).
  virtual std::string text() const = 0;
  // What the plan says about the simulated world (sim/world/world.h), or null.
  virtual const WorldPlan* world_plan() const noexcept { return nullptr; }
};

}  // namespace lockstep
