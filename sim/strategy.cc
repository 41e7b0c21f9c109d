#include "sim/strategy.h"

namespace lockstep {

const char* to_string(Strategy s) noexcept {
  switch (s) {
    case Strategy::kFifo:
      return "fifo";
    case Strategy::kFaithful:
      return "faithful";
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
  }
  return "unknown";
}

std::optional<Strategy> parse_strategy(std::string_view name) noexcept {
  if (name == "fifo") return Strategy::kFifo;
  if (name == "faithful") return Strategy::kFaithful;
  if (name == "random") return Strategy::kRandom;
  if (name == "pct") return Strategy::kPct;
  return std::nullopt;
}

std::uint64_t duration_bound(DecisionKind kind, const StrategyOptions& strategy) noexcept {
  switch (kind) {
    case DecisionKind::kStepCost:
      return static_cast<std::uint64_t>(strategy.max_step_cost.count());
    case DecisionKind::kTimerDelay:
      return static_cast<std::uint64_t>(strategy.max_timer_delay.count());
    case DecisionKind::kJobDuration:
      return static_cast<std::uint64_t>(strategy.max_job_duration.count());
    default:
      return 0;
  }
}

}  // namespace lockstep
