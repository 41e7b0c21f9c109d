// Randomness for the program under test, through the simulation's decisions.
//
//   if (lockstep::random_chance(1, 10)) co_await lockstep::sleep(lockstep::random_duration(50ms));
//   std::uint64_t pick = lockstep::random_below(replicas.size());
//
// Under a simulation every draw is a decision (kind random, site = the call's source
// location), so it is recorded, replayed, and later shrunk toward 0. Outside a
// simulation the draws come from a per-thread generator seeded from std::random_device:
// production code gets real randomness from the same calls.
#pragma once

#include <cstdint>

#include "loop/clock.h"
#include "loop/source_location.h"

namespace lockstep {

class SimDecisions;

// Uniform in [0, bound); 0 if bound is 0.
std::uint64_t random_below(std::uint64_t bound, SourceLocation where = SourceLocation::current());
// True with probability numerator / denominator.
bool random_chance(std::uint64_t numerator, std::uint64_t denominator,
                   SourceLocation where = SourceLocation::current());
// Uniform in [0, max].
Duration random_duration(Duration max, SourceLocation where = SourceLocation::current());

namespace internal {
// The simulation whose decisions random_*() use on this thread (nullptr: none). Set by
// Simulation for the length of a run. Inline and constant-initialised: code that asks
// "am I simulated?" on a hot path (buggify) pays one thread-local load and a branch.
inline constinit thread_local SimDecisions* current_simulation_ = nullptr;
inline SimDecisions*& current_simulation() noexcept { return current_simulation_; }
// A decision site for a source location: FNV-1a of "file:line", the same in every run
// and build (never an address).
std::uint64_t site_of(const SourceLocation& where) noexcept;
}  // namespace internal

}  // namespace lockstep
