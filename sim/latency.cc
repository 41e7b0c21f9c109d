#include "sim/latency.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace lockstep {

namespace {

std::string ns_text(Duration d) { return std::to_string(d.count()) + "ns"; }

// A readable duration: whole units where they divide evenly ("100us", "1.5ms").
std::string short_text(Duration d) {
  const auto ns = d.count();
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  for (Unit u : {Unit{1'000'000'000, "s"}, Unit{1'000'000, "ms"}, Unit{1'000, "us"}}) {
    if (ns >= u.ns) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g%s", static_cast<double>(ns) / static_cast<double>(u.ns),
                    u.name);
      return buf;
    }
  }
  return ns_text(d);
}

void check(const char* what, Duration min, Duration max, bool zero_min_ok) {
  if ((zero_min_ok ? min < Duration::zero() : min <= Duration::zero()) || max < min)
    throw std::invalid_argument(std::string("lockstep: Latency::") + what + "(min, max) needs " +
                                (zero_min_ok ? "0 <= min <= max" : "0 < min <= max") +
                                ", got min=" + ns_text(min) + " max=" + ns_text(max));
}

// min * factor, rounded to whole nanoseconds, within [min, max]. Uses the C library's
// exp/log/pow on doubles: the same result for the same step with any compiler against
// the same libm.
Duration scaled(Duration min, Duration max, double factor) {
  const double ns = std::round(static_cast<double>(min.count()) * factor);
  if (!(ns < static_cast<double>(max.count()))) return max;  // also NaN / inf
  return std::max(min, Duration(static_cast<Duration::rep>(ns)));
}

}  // namespace

Latency Latency::fixed(Duration d) {
  check("fixed", d, d, true);
  return Latency(Shape::kFixed, d, d, 1.5);
}

Latency Latency::uniform(Duration min, Duration max) {
  check("uniform", min, max, true);
  return Latency(Shape::kUniform, min, max, 1.5);
}

Latency Latency::log_uniform(Duration min, Duration max) {
  check("log_uniform", min, max, false);
  return Latency(Shape::kLogUniform, min, max, 1.5);
}

Latency Latency::heavy_tailed(Duration min, Duration max, double alpha) {
  check("heavy_tailed", min, max, false);
  if (!(alpha > 0))
    throw std::invalid_argument("lockstep: Latency::heavy_tailed needs alpha > 0, got " +
                                std::to_string(alpha));
  return Latency(Shape::kHeavyTailed, min, max, alpha);
}

Duration Latency::at(std::uint64_t step) const noexcept {
  step = std::min(step, kSteps);
  if (min_ == max_) return min_;
  switch (shape_) {
    case Shape::kFixed:
      return min_;
    case Shape::kUniform: {
      const auto span = static_cast<unsigned __int128>(max_.count() - min_.count());
      return min_ + Duration(static_cast<Duration::rep>(span * step / kSteps));
    }
    case Shape::kLogUniform: {
      const double u = static_cast<double>(step) / kSteps;
      const double ratio = static_cast<double>(max_.count()) / static_cast<double>(min_.count());
      return scaled(min_, max_, std::exp(std::log(ratio) * u));
    }
    case Shape::kHeavyTailed: {
      // Inverse CDF of Pareto(min, alpha) at the step's quantile q in [0, 1).
      const double q = static_cast<double>(step) / (kSteps + 1);
      return scaled(min_, max_, std::pow(1.0 - q, -1.0 / alpha_));
    }
  }
  return min_;
}

std::string Latency::describe() const {
  switch (shape_) {
    case Shape::kFixed:
      return "fixed " + short_text(min_);
    case Shape::kUniform:
      return "uniform " + short_text(min_) + ".." + short_text(max_);
    case Shape::kLogUniform:
      return "log-uniform " + short_text(min_) + ".." + short_text(max_);
    case Shape::kHeavyTailed: {
      char alpha[32];
      std::snprintf(alpha, sizeof alpha, "%g", alpha_);
      return "heavy-tailed " + short_text(min_) + ".." + short_text(max_) + " (alpha " + alpha +
             ")";
    }
  }
  return "?";
}

}  // namespace lockstep
