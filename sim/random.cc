#include "sim/random.h"

#include <random>

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

}  // namespace lockstep
