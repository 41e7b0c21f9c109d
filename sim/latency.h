// Latency distributions: the shapes real delays have, as one recorded draw each.
//
//   // Messages from n1 to n2: 200us at best, now and then far more (a slow switch, a
//   // retransmission), never over 50ms; each message's latency is a decision.
//   world.network().set_link_latency("n1", "n2", lockstep::Latency::heavy_tailed(200us, 50ms));
//   // Every link: anywhere from 100us to 10ms, each factor as likely.
//   world.network().set_link_latency("*", "*", lockstep::Latency::log_uniform(100us, 10ms));
//
// A draw is an integer step in [0, kSteps] (0 = min) mapped through the shape's inverse
// CDF, so the same step gives the same duration with any compiler against the same libm.
// random_log_uniform() and random_heavy_tailed() (sim/random.h) and the simulated
// network's per-link latencies (sim/net/sim_network.h) use the same mapping.
#pragma once

#include <cstdint>
#include <string>

#include "loop/clock.h"

namespace lockstep {

class Latency {
 public:
  enum class Shape : std::uint8_t {
    kFixed,        // always min
    kUniform,      // every duration in [min, max] as likely
    kLogUniform,   // every factor between min and max as likely
    kHeavyTailed,  // Pareto(scale min, shape alpha) cut at max: mostly near min
  };
  // The resolution of a draw: steps 0..kSteps.
  static constexpr std::uint64_t kSteps = 1u << 20;

  // std::invalid_argument (message starting "lockstep:") unless 0 < min <= max (fixed and
  // uniform allow min = 0) and alpha > 0.
  static Latency fixed(Duration d);
  static Latency uniform(Duration min, Duration max);
  static Latency log_uniform(Duration min, Duration max);
  static Latency heavy_tailed(Duration min, Duration max, double alpha = 1.5);

  Shape shape() const noexcept { return shape_; }
  Duration min() const noexcept { return min_; }
  Duration max() const noexcept { return max_; }
  double alpha() const noexcept { return alpha_; }
  // The duration at draw `step` (0..kSteps; larger counts as kSteps), within [min, max];
  // step 0 is min for every shape.
  Duration at(std::uint64_t step) const noexcept;
  // "log-uniform 100us..10ms", for errors and documentation.
  std::string describe() const;

  friend bool operator==(const Latency&, const Latency&) = default;

 private:
  Latency(Shape shape, Duration min, Duration max, double alpha)
      : shape_(shape), min_(min), max_(max), alpha_(alpha) {}
  Shape shape_;
  Duration min_;
  Duration max_;
  double alpha_;
};

}  // namespace lockstep
