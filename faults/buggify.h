// Fault points: mark the places where a rare path can be provoked.
//
//   if (lockstep::buggify()) throw ConnectionReset("injected");          // the rare error
//   if (lockstep::buggify(0.01)) co_await lockstep::sleep(5s);           // a rare stall
//   lockstep::probe("retry after partial write");                        // "we got here"
//
// Under simulation a fault point works as in FoundationDB: the first time a run reaches
// a site (its source location), the run decides whether the site is enabled at all
// (StrategyOptions::faults.enable_probability); an enabled site then fires on each reach
// with its probability. Both choices are decisions of kind fault: recorded, replayed,
// and shrunk toward "never fires". Outside a simulation buggify() is false and costs a
// thread-local load and a branch.
//
// probe(name) marks a branch worth reaching; a seed sweep's Coverage (faults/coverage.h)
// says which probes were reached and how often, and which fault sites ever fired.
#pragma once

#include <string_view>

#include "loop/source_location.h"
#include "sim/random.h"

namespace lockstep {

namespace internal {
bool buggify_decide(SimDecisions& sim, const SourceLocation& where, double probability);
bool buggify_decide(SimDecisions& sim, const SourceLocation& where);
void probe_reached(SimDecisions& sim, std::string_view name);
}  // namespace internal

// True when the simulation decides this fault point fires now; false outside one.
inline bool buggify(SourceLocation where = SourceLocation::current()) {
  SimDecisions* sim = internal::current_simulation();
  if (!sim) [[likely]]
    return false;
  return internal::buggify_decide(*sim, where);
}

// The same, firing with `probability` (in [0, 1]) when the site is enabled.
inline bool buggify(double probability, SourceLocation where = SourceLocation::current()) {
  SimDecisions* sim = internal::current_simulation();
  if (!sim) [[likely]]
    return false;
  return internal::buggify_decide(*sim, where, probability);
}

// Counts a reach of the probe `name` in the running simulation; nothing outside one.
inline void probe(std::string_view name) {
  if (SimDecisions* sim = internal::current_simulation()) [[unlikely]]
    internal::probe_reached(*sim, name);
}

}  // namespace lockstep
