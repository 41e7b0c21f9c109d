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

// Latencies as real systems have them. Both are one recorded draw (kind random) that
// shrinks toward `min`, and stay within [min, max]; std::invalid_argument unless
// 0 < min <= max.
//
//   co_await lockstep::sleep(lockstep::random_log_uniform(1ms, 1s));     // 1-10ms as likely as
//   100ms-1s co_await lockstep::sleep(lockstep::random_heavy_tailed(2ms, 500ms)); // mostly ~2ms,
//   rarely far more
//
// Log-uniform: every factor between min and max equally likely (as likely in [1ms, 10ms]
// as in [100ms, 1s]), where a uniform draw would almost never give the short end.
Duration random_log_uniform(Duration min, Duration max,
                            SourceLocation where = SourceLocation::current());
// Heavy-tailed (Pareto with shape `alpha`, scale `min`, cut at `max`): usually close to
// min, now and then many times it: the slow replica, the GC pause, the retransmit. A
// smaller alpha gives a heavier tail (1.5: one draw in 30 is over 10x min, one in 1000
// over 100x).
Duration random_heavy_tailed(Duration min, Duration max, double alpha = 1.5,
                             SourceLocation where = SourceLocation::current());

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
