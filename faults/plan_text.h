// Helpers shared by the fault plan's text reader and writer (fault_plan.cc,
// world_plan.cc): numbers that read back exactly, quoted strings, milliseconds.
#pragma once

#include <cmath>
#include <sstream>
#include <string>

#include "loop/clock.h"

namespace lockstep::internal {

inline Duration from_ms(double ms) {
  return Duration(static_cast<Duration::rep>(std::llround(ms * 1e6)));
}
inline double to_ms(Duration d) { return static_cast<double>(d.count()) / 1e6; }

// A double as text that parses back to the same double.
inline std::string number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

inline std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace lockstep::internal
