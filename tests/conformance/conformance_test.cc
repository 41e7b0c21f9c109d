// Runs every C++ scenario and compares its log, line by line, with the log CPython
// produced for the Python original (expected/<name>.log, made by regen.py). The scenarios
// whose log never shows time passing run a third time on the real driver (EpollDriver):
// the scheduling core is the same code, so their logs must match there too.
#include <gtest/gtest.h>

#include <cstdio>
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

// Splits "t=<seconds> <message>"; false if the line has another shape.
bool split_line(const std::string& line, double& t, std::string& message) {
  int consumed = 0;
  if (std::sscanf(line.c_str(), "t=%lf %n", &t, &consumed) != 1 || consumed == 0) return false;
  message = line.substr(static_cast<std::size_t>(consumed));
  return true;
}

// On the real clock a line may be stamped a little later than CPython's virtual instant
// (the machine is busy; real time passes while steps run), never earlier.
constexpr double kRealTimeSlack = 0.25;

bool same_line(const std::string& expected, const std::string& actual, bool real_time) {
  if (!real_time) return expected == actual;
  double te, ta;
  std::string me, ma;
  if (!split_line(expected, te, me) || !split_line(actual, ta, ma)) return expected == actual;
  return me == ma && ta >= te - 0.0005 && ta <= te + kRealTimeSlack;
}

// The two logs say the same things in the same order, but some line is stamped outside
// the real-time slack.
bool only_times_differ(const std::vector<std::string>& expected,
                       const std::vector<std::string>& actual) {
  if (expected.size() != actual.size()) return false;
  bool late = false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    double te, ta;
    std::string me, ma;
    if (!split_line(expected[i], te, me) || !split_line(actual[i], ta, ma) || me != ma)
      return false;
    late = late || !same_line(expected[i], actual[i], /*real_time=*/true);
  }
  return late;
}

void expect_log_matches_cpython(const std::string& name, DecisionSource* decisions,
                                Driver* driver = nullptr) {
  const std::vector<std::string> expected = read_lines(expected_dir() / (name + ".log"));
  ASSERT_FALSE(expected.empty()) << "no expected log for " << name;
  const bool real_time = driver && !driver->is_virtual();
  std::vector<std::string> actual = run_scenario(name, decisions, driver);
  // On the real clock a stall of the machine (a loaded CI host, a sanitizer build) can
  // stamp a line later than the slack allows: a run whose lines all say the same as
  // CPython's but some too late is run again, up to three times in all. A scenario that
  // really waits is late every time.
  for (int attempt = 1; real_time && attempt < 3 && only_times_differ(expected, actual); ++attempt)
    actual = run_scenario(name, decisions, driver);
  std::ostringstream report;
  const std::size_t n = std::max(expected.size(), actual.size());
  std::size_t first_diff = n;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string e = i < expected.size() ? expected[i] : "<missing>";
    const std::string a = i < actual.size() ? actual[i] : "<missing>";
    const bool same = same_line(e, a, real_time);
    if (!same && first_diff == n) first_diff = i;
    report << (same ? "   " : " ! ") << "line " << i + 1 << "\n     cpython: " << e
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

// True iff every line of the scenario's CPython log is stamped t=0.000: what it pins down
// is order (ready queue, cancellation, combinators, sleep(0)), never a duration, so real
// time cannot change it. The others sleep for 0.5 s or more of (virtual) time, too long
// for a real-time run in CI; they stay virtual-only.
bool timeless(const std::string& name) {
  const std::vector<std::string> lines = read_lines(expected_dir() / (name + ".log"));
  for (const std::string& line : lines) {
    if (line.rfind("t=0.000 ", 0) != 0) return false;
  }
  return !lines.empty();
}

std::vector<std::string> timeless_ported() {
  std::vector<std::string> names;
  for (const std::string& name : ported()) {
    if (timeless(name)) names.push_back(name);
  }
  return names;
}

class ConformanceOnRealDriver : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceOnRealDriver, LogMatchesCPython) {
  EpollDriver real;
  expect_log_matches_cpython(GetParam(), nullptr, &real);
}

INSTANTIATE_TEST_SUITE_P(Timeless, ConformanceOnRealDriver, ::testing::ValuesIn(timeless_ported()),
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

TEST(ConformanceSuite, TheTimelessScenariosAlsoRunOnTheRealDriver) {
  // A guard against the selection silently emptying (a changed log format, say).
  EXPECT_GE(timeless_ported().size(), 30u);
}

}  // namespace
}  // namespace lockstep::conformance
