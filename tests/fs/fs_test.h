// LOCKSTEP_FS_TEST: one test body, run over real files (an EpollDriver loop with a
// RealFileSystem rooted in a fresh directory under $TEST_TMPDIR) and under simulation
// (the simulated disk of sim/disk/, 20 seeds). The body uses lockstep::file_system() and
// relative paths only; every run is bounded in real time, so a hang fails the test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "loop/epoll_driver.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace lockstep::testing {

struct FsEnv {
  bool simulated = false;
  std::string root;                 // real files: the directory the file system is rooted in
  std::vector<std::string> errors;  // what reached the loop's exception handler
};

inline ExceptionHandler capture_errors(FsEnv& env) {
  return [&env](Loop&, const ExceptionContext& c) {
    std::string s = c.message;
    if (c.exception) s += ": " + describe_exception(c.exception);
    env.errors.push_back(s);
  };
}

// A fresh empty directory under $TEST_TMPDIR (and nowhere else); "" if there is none.
inline std::string make_test_dir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  if (!tmp || !*tmp) {
    ADD_FAILURE() << "TEST_TMPDIR is not set: run the test under Bazel";
    return {};
  }
  std::string templ = std::string(tmp) + "/fs.XXXXXX";
  if (!::mkdtemp(templ.data())) {
    ADD_FAILURE() << "mkdtemp(" << templ << ") failed";
    return {};
  }
  return templ;
}

// Runs body(env) over real files, failing the test if it takes more than 30 s.
template <class Body>
void run_on_files(Body body) {
  FsEnv env;
  env.root = make_test_dir();
  if (env.root.empty()) return;
  EpollDriver driver;
  RunOptions options;
  options.driver = &driver;
  options.handle_signals = false;
  options.exception_handler = capture_errors(env);
  options.on_start = [&env](Loop& loop) {
    loop.set_file_system(std::make_shared<RealFileSystem>(env.root));
  };
  const auto start = std::chrono::steady_clock::now();
  try {
    lockstep::run(wait_for(body(env), std::chrono::seconds(30)), options);
  } catch (const TimeoutError& e) {
    if (std::chrono::steady_clock::now() - start < std::chrono::seconds(29)) {
      ADD_FAILURE() << "the test body raised " << e.what();
    } else {
      ADD_FAILURE() << "the test body did not finish within 30 s of real time";
    }
  }
}

// Runs body(env) under simulation over seeds 0, 1, ... of the faithful strategy, naming
// the seed of a failure: 20 seeds, or fewer once 10 s of real time have gone;
// LOCKSTEP_FS_SEEDS=n runs exactly n, LOCKSTEP_SEED=s only seed s.
template <class Body>
void run_simulated(Body body) {
  const char* text = std::getenv("LOCKSTEP_FS_SEEDS");
  const char* one = std::getenv("LOCKSTEP_SEED");
  const std::uint64_t first = one ? std::strtoull(one, nullptr, 10) : 0;
  const std::uint64_t seeds = one ? 1 : text ? std::strtoull(text, nullptr, 10) : 20;
  const bool budget = !text && !one;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    if (budget && seed > first &&
        std::chrono::steady_clock::now() - start > std::chrono::seconds(10))
      break;
    FsEnv env;
    env.simulated = true;
    SimulationOptions options;
    options.seed = seed;
    options.exception_handler = capture_errors(env);
    const int failures_before =
        ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    auto run = simulate([&] { return body(env); }, options);
    if (!run.outcome.ok())
      ADD_FAILURE() << "seed " << seed << ": " << describe_exception(run.outcome.exception());
    if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() !=
        failures_before) {
      ADD_FAILURE() << "under simulation, seed " << seed << " (LOCKSTEP_SEED to rerun)";
      return;
    }
  }
}

}  // namespace lockstep::testing

#define LOCKSTEP_FS_TEST(Suite, Name)                                                         \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::FsEnv& env);       \
  TEST(Suite##OnFiles, Name) { ::lockstep::testing::run_on_files(Suite##_##Name##_body); }    \
  TEST(Suite##Simulated, Name) { ::lockstep::testing::run_simulated(Suite##_##Name##_body); } \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::FsEnv& env)
