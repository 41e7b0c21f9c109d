// Runs every C++ scenario and compares its log, line by line, with the log CPython
// produced for the Python original (expected/<name>.log, made by regen.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/sim_decisions.h"
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

std::filesystem::path expected_dir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::filesystem::path base = srcdir ? std::filesystem::path(srcdir) / "lockstep" : ".";
  return base / "tests" / "conformance" / "expected";
}

std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class Conformance : public ::testing::TestWithParam<std::string> {};

void expect_log_matches_cpython(const std::string& name, DecisionSource* decisions) {
  const std::vector<std::string> expected = read_lines(expected_dir() / (name + ".log"));
  ASSERT_FALSE(expected.empty()) << "no expected log for " << name;
  const std::vector<std::string> actual = run_scenario(name, decisions);
  std::ostringstream report;
  const std::size_t n = std::max(expected.size(), actual.size());
  std::size_t first_diff = n;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string e = i < expected.size() ? expected[i] : "<missing>";
    const std::string a = i < actual.size() ? actual[i] : "<missing>";
    if (e != a && first_diff == n) first_diff = i;
    report << (e == a ? "   " : " ! ") << "line " << i + 1 << "\n     cpython: " << e
           << "\n     lockstep: " << a << "\n";
  }
  EXPECT_EQ(first_diff, n) << "scenario " << name << " diverges from CPython at line "
                           << first_diff + 1 << ":\n"
                           << report.str();
}

TEST_P(Conformance, LogMatchesCPython) { expect_log_matches_cpython(GetParam(), nullptr); }

// Under a simulation with the fifo strategy the run is plain asyncio, decisions or not.
TEST_P(Conformance, LogMatchesCPythonUnderFifoSimulation) {
  StrategyOptions fifo;
  fifo.kind = Strategy::kFifo;
  SimDecisions decisions = SimDecisions::seeded(12345, fifo);
  expect_log_matches_cpython(GetParam(), &decisions);
  EXPECT_TRUE(decisions.decisions().empty());
}

std::vector<std::string> ported() {
  std::vector<std::string> names;
  for (const auto& [name, main] : scenarios()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Conformance, ::testing::ValuesIn(ported()),
                         [](const auto& info) { return info.param; });

TEST(ConformanceSuite, EveryPythonScenarioHasACppPort) {
  std::set<std::string> missing;
  for (const auto& entry : std::filesystem::directory_iterator(expected_dir())) {
    if (entry.path().extension() != ".log") continue;
    const std::string name = entry.path().stem().string();
    if (!scenarios().count(name)) missing.insert(name);
  }
  std::string list;
  for (const auto& m : missing) list += " " + m;
  EXPECT_TRUE(missing.empty()) << "scenarios without a C++ port:" << list;
  EXPECT_GE(scenarios().size(), 20u);
}

}  // namespace
}  // namespace lockstep::conformance
