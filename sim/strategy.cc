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

}  // namespace lockstep
