#include "sim/decision.h"

#include <cstdio>

namespace lockstep {

const char* to_string(DecisionKind kind) noexcept {
  switch (kind) {
    case DecisionKind::kStepCost:
      return "step_cost";
    case DecisionKind::kTimerDelay:
      return "timer_delay";
    case DecisionKind::kTimerOrder:
      return "timer_order";
    case DecisionKind::kCompletionOrder:
      return "completion_order";
    case DecisionKind::kReadyOrder:
      return "ready_order";
    case DecisionKind::kJobDuration:
      return "job_duration";
    case DecisionKind::kRandom:
      return "random";
    case DecisionKind::kFault:
      return "fault";
    case DecisionKind::kCancel:
      return "cancel";
    case DecisionKind::kWakeCancel:
      return "wake_cancel";
  }
  return "unknown";
}

std::string describe(const Decision& d) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s site=%llu bound=%llu value=%llu t=%.6fs task=%llu",
                to_string(d.kind), static_cast<unsigned long long>(d.site),
                static_cast<unsigned long long>(d.bound), static_cast<unsigned long long>(d.value),
                to_seconds(d.time), static_cast<unsigned long long>(d.task));
  return buf;
}

}  // namespace lockstep
