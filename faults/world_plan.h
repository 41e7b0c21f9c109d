// A fault plan's `world { ... }` entry: read from and written to text, and checked.
// Internal to faults/ (fault_plan.cc uses it); users see lockstep::WorldPlan
// (sim/world/world.h) as FaultPlan::world.
//
//   world { crash: 0.05 max_down_ms: 500 partition: 0.1 partition_mode: "reset"
//           clocks { max_offset_ms: 50 max_drift_ppm: 100 }
//           latency { from: "*" to: "*" shape: "log_uniform" min_ms: 0.1 max_ms: 5 }
//           crash_at { node: "n2" at_ms: 300 down_ms: 200 } }
#pragma once

#include <string>

#include "faults/fault_plan.pb.h"
#include "sim/world/world.h"

namespace lockstep::internal {

// The plan `proto` describes; FaultPlanError naming `origin` for a value that cannot be
// one (an unknown shape or partition mode, a latency range that is not one).
WorldPlan world_plan_from_proto(const faults::WorldPlan& proto, const std::string& origin);
// "world { ... }\n", which world_plan_from_proto reads back to the same plan.
std::string world_plan_text(const WorldPlan& plan);
// Appends one line per problem ("<origin>: world: crash: probability 2 is not in [0, 1]").
void validate_world_plan(const WorldPlan& plan, const std::string& origin, std::string& errors);

}  // namespace lockstep::internal
