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

const char* to_string(CancellationFuzzing::Mode mode) noexcept {
  switch (mode) {
    case CancellationFuzzing::Mode::kOff:
      return "off";
    case CancellationFuzzing::Mode::kRandom:
      return "random";
    case CancellationFuzzing::Mode::kExhaustive:
      return "exhaustive";
  }
  return "unknown";
}

std::optional<CancellationFuzzing::Mode> parse_cancellation_mode(std::string_view name) noexcept {
  if (name == "off" || name.empty()) return CancellationFuzzing::Mode::kOff;
  if (name == "random") return CancellationFuzzing::Mode::kRandom;
  if (name == "exhaustive") return CancellationFuzzing::Mode::kExhaustive;
  return std::nullopt;
}

const char* to_string(CancellationFuzzing::Target target) noexcept {
  switch (target) {
    case CancellationFuzzing::Target::kTask:
      return "task";
    case CancellationFuzzing::Target::kTimeout:
      return "timeout";
    case CancellationFuzzing::Target::kAny:
      return "any";
    case CancellationFuzzing::Target::kEnclosing:
      return "enclosing";
  }
  return "unknown";
}

const char* to_string(CancellationFuzzing::Point point) noexcept {
  switch (point) {
    case CancellationFuzzing::Point::kSuspend:
      return "suspend";
    case CancellationFuzzing::Point::kWake:
      return "wake";
    case CancellationFuzzing::Point::kBoth:
      return "both";
  }
  return "unknown";
}

std::optional<CancellationFuzzing::Point> parse_cancellation_point(std::string_view name) noexcept {
  if (name == "suspend" || name.empty()) return CancellationFuzzing::Point::kSuspend;
  if (name == "wake") return CancellationFuzzing::Point::kWake;
  if (name == "both") return CancellationFuzzing::Point::kBoth;
  return std::nullopt;
}

InjectedCancel injected_cancel(CancellationFuzzing::Target target, std::uint64_t value) noexcept {
  switch (target) {
    case CancellationFuzzing::Target::kTask:
      return InjectedCancel::kTask;
    case CancellationFuzzing::Target::kTimeout:
      return InjectedCancel::kTimeout;
    case CancellationFuzzing::Target::kEnclosing:
      return InjectedCancel::kEnclosing;
    case CancellationFuzzing::Target::kAny:
      break;
  }
  return value == 2   ? InjectedCancel::kTimeout
         : value == 3 ? InjectedCancel::kEnclosing
                      : InjectedCancel::kTask;
}

std::optional<CancellationFuzzing::Target> parse_cancellation_target(
    std::string_view name) noexcept {
  if (name == "task" || name.empty()) return CancellationFuzzing::Target::kTask;
  if (name == "timeout") return CancellationFuzzing::Target::kTimeout;
  if (name == "any") return CancellationFuzzing::Target::kAny;
  if (name == "enclosing") return CancellationFuzzing::Target::kEnclosing;
  return std::nullopt;
}

bool glob_match(std::string_view pattern, std::string_view name) noexcept {
  // Iterative wildcard match: on a mismatch, let the last '*' absorb one more character.
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::uint64_t duration_bound(DecisionKind kind, const StrategyOptions& strategy) noexcept {
  switch (kind) {
    case DecisionKind::kStepCost:
      return static_cast<std::uint64_t>(strategy.max_step_cost.count());
    case DecisionKind::kTimerDelay:
      return static_cast<std::uint64_t>(strategy.max_timer_delay.count());
    case DecisionKind::kJobDuration:
      return static_cast<std::uint64_t>(strategy.max_job_duration.count());
    case DecisionKind::kNetDelay:
      return static_cast<std::uint64_t>(strategy.max_net_delay.count());
    default:
      return 0;
  }
}

}  // namespace lockstep
