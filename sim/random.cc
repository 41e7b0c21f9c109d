#include "sim/random.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "sim/latency.h"
#include "sim/sim_decisions.h"

namespace lockstep {

namespace internal {

std::uint64_t site_of(const SourceLocation& where) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64-bit
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ull;
  };
  for (const char* p = where.file; p && *p; ++p) mix(static_cast<unsigned char>(*p));
  mix(':');
  for (unsigned line = where.line; line; line /= 10)
    mix(static_cast<unsigned char>('0' + line % 10));
  return h;
}

namespace {
// Outside a simulation: real randomness, one generator per thread.
SplitMix64& production_generator() {
  thread_local SplitMix64 rng([] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }());
  return rng;
}
}  // namespace

}  // namespace internal

void log(std::string_view text) {
  if (SimDecisions* sim = internal::current_simulation())
    if (TraceSink* sink = sim->sink()) sink->on_log(sim->now(), sim->current_task_id(), text);
}

std::uint64_t random_below(std::uint64_t bound, SourceLocation where) {
  if (SimDecisions* sim = internal::current_simulation())
    return sim->random_below(bound, sim->site_for(where));
  return internal::production_generator().below(bound);
}

bool random_chance(std::uint64_t numerator, std::uint64_t denominator, SourceLocation where) {
  return random_below(denominator, where) < numerator;
}

Duration random_duration(Duration max, SourceLocation where) {
  if (max <= Duration::zero()) return Duration::zero();
  return Duration(
      static_cast<Duration::rep>(random_below(static_cast<std::uint64_t>(max.count()) + 1, where)));
}

namespace {

void check_range(const char* what, Duration min, Duration max) {
  if (min <= Duration::zero() || max < min)
    throw std::invalid_argument(
        std::string("lockstep: ") + what + "(min, max) needs 0 < min <= max, got min=" +
        std::to_string(min.count()) + "ns max=" + std::to_string(max.count()) + "ns");
}

}  // namespace

Duration random_log_uniform(Duration min, Duration max, SourceLocation where) {
  check_range("random_log_uniform", min, max);
  if (min == max) return min;
  return Latency::log_uniform(min, max).at(random_below(Latency::kSteps + 1, where));
}

Duration random_heavy_tailed(Duration min, Duration max, double alpha, SourceLocation where) {
  check_range("random_heavy_tailed", min, max);
  if (!(alpha > 0))
    throw std::invalid_argument("lockstep: random_heavy_tailed needs alpha > 0, got " +
                                std::to_string(alpha));
  if (min == max) return min;
  return Latency::heavy_tailed(min, max, alpha).at(random_below(Latency::kSteps + 1, where));
}

}  // namespace lockstep
