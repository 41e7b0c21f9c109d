#include "faults/coverage.h"

namespace lockstep {

std::string Coverage::report() const {
  std::string out;
  const std::string of_runs = " of " + std::to_string(runs_) + " runs";
  for (const auto& [name, c] : probes_) {
    out += "probe '" + name + "': ";
    out += c.runs ? "reached in " + std::to_string(c.runs) + of_runs + " (" +
                        std::to_string(c.times) + " times)"
                  : std::string("never reached");
    out += "\n";
  }
  for (const auto& [name, reached] : faults_reached_) {
    const auto fired = faults_fired_.find(name);
    out += "fault " + name + ": ";
    if (fired == faults_fired_.end())
      out += "never fired";
    else
      out += "fired in " + std::to_string(fired->second.runs) + of_runs + " (" +
             std::to_string(fired->second.times) + " times)";
    out += ", reached in " + std::to_string(reached.runs) + "\n";
  }
  return out;
}

}  // namespace lockstep
