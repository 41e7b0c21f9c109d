// The simulation's pseudo-random generator: SplitMix64, written out here so that a seed
// means the same run everywhere.
//
//   lockstep::SplitMix64 rng(42);
//   std::uint64_t x = rng.next();        // the SplitMix64 sequence, bit for bit
//   std::uint64_t i = rng.below(6);      // uniform in [0, 6), unbiased
//
// Why not std::mt19937 with std::uniform_int_distribution: the distributions are
// implementation-defined, so libstdc++ and libc++ turn one seed into different runs.
// Everything here is specified integer arithmetic: the same seed gives the same values
// with g++ and clang, at -O0 and -O2, on x86-64 and ARM.
#pragma once

#include <cstdint>

namespace lockstep {

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}

  // The next 64-bit value (Steele, Lea, Flood, "Fast splittable pseudorandom number
  // generators", OOPSLA 2014; the constants of Vigna's reference implementation).
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject). bound 0
  // gives 0.
  constexpr std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    return below_from(bound, scaled(bound));
  }

  // below(bound) (bound > 0) in two halves, for a caller whose usual case must make no
  // call: scaled(bound) draws; when settled(m, bound) the value is m >> 64, and in any
  // case below_from(bound, m) is.
  using Scaled = unsigned __int128;
  constexpr Scaled scaled(std::uint64_t bound) noexcept {
    return static_cast<Scaled>(next()) * bound;
  }
  static constexpr bool settled(Scaled m, std::uint64_t bound) noexcept {
    return static_cast<std::uint64_t>(m) >= bound;
  }
  constexpr std::uint64_t below_from(std::uint64_t bound, Scaled m) noexcept {
    if (!settled(m, bound)) [[unlikely]]
      return below_rejecting(bound, m);
    return static_cast<std::uint64_t>(m >> 64);
  }

  // True with probability numerator / denominator (denominator > 0).
  constexpr bool chance(std::uint64_t numerator, std::uint64_t denominator) noexcept {
    return below(denominator) < numerator;
  }

 private:
  // below()'s rare part (a chance of bound in 2^64): out of line, so that callers drawing
  // once per step keep their registers.
  [[gnu::noinline]] constexpr std::uint64_t below_rejecting(std::uint64_t bound,
                                                            unsigned __int128 m) noexcept {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (static_cast<std::uint64_t>(m) < threshold)
      m = static_cast<unsigned __int128>(next()) * bound;
    return static_cast<std::uint64_t>(m >> 64);
  }

  std::uint64_t state_;
};

}  // namespace lockstep
