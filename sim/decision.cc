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
    case DecisionKind::kNetDelay:
      return "net_delay";
    case DecisionKind::kCrash:
      return "crash";
    case DecisionKind::kClock:
      return "clock";
    case DecisionKind::kLinkFault:
      return "link_fault";
    case DecisionKind::kPartition:
      return "partition";
    case DecisionKind::kDiskLatency:
      return "disk_latency";
    case DecisionKind::kDiskError:
      return "disk_error";
    case DecisionKind::kDiskCrash:
      return "disk_crash";
  }
  return "unknown";
}

std::string describe(const Decision& d) { return describe(d, {}); }

std::string ordinal_text(const Decision& d) {
  if (d.ordinal == 0) return {};
  return (d.kind == DecisionKind::kTimerDelay ? " timer=" : " step=") + std::to_string(d.ordinal);
}

std::string ordinal(std::uint64_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

std::string site_text(std::uint64_t site, const std::map<std::uint64_t, std::string>& site_names) {
  const auto it = site_names.find(site);
  return it != site_names.end() ? it->second : std::to_string(site);
}

std::string describe(const Decision& d, const std::map<std::uint64_t, std::string>& site_names) {
  char buf[160];
  std::snprintf(buf, sizeof buf, " bound=%llu value=%llu t=%.6fs task=%llu",
                static_cast<unsigned long long>(d.bound), static_cast<unsigned long long>(d.value),
                to_seconds(d.time), static_cast<unsigned long long>(d.task));
  std::string s = std::string(to_string(d.kind)) + " site=" + site_text(d.site, site_names) + buf;
  return s + ordinal_text(d);
}

}  // namespace lockstep
