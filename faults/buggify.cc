#include "faults/buggify.h"

#include "sim/sim_decisions.h"
#include "sim/strategy.h"

namespace lockstep::internal {

bool buggify_decide(SimDecisions& sim, const SourceLocation& where, double probability) {
  const FaultPoints& config = sim.strategy().faults;
  if (!config.enabled) return false;
  const std::uint64_t site = sim.site_for(where);
  const std::string& name = sim.site_names().at(site);
  ++sim.faults_reached()[name];
  auto [it, first_reach] = sim.fault_sites().try_emplace(site, false);
  if (first_reach)
    it->second = sim.choose_chance(DecisionKind::kFault, site, config.enable_probability);
  if (!it->second) return false;
  const bool fire = sim.choose_chance(DecisionKind::kFault, site, probability);
  if (fire) ++sim.faults_fired()[name];
  return fire;
}

bool buggify_decide(SimDecisions& sim, const SourceLocation& where) {
  return buggify_decide(sim, where, sim.strategy().faults.fire_probability);
}

void probe_reached(SimDecisions& sim, std::string_view name) {
  auto& probes = sim.probes();
  auto it = probes.find(name);
  if (it == probes.end()) it = probes.emplace(std::string(name), 0).first;
  ++it->second;
}

}  // namespace lockstep::internal
