// LOCKSTEP_NET_TEST: one test body, run over real loopback sockets (an EpollDriver loop)
// and under simulation (the simulated network, 20 seeds). The body uses only 127.0.0.1/::1
// and ports the kernel (or the simulated network) picks; every run is bounded in real
// time, so a hang fails the test instead of the build.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "loop/epoll_driver.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace lockstep::testing {

struct NetEnv {
  std::string host = "127.0.0.1";
  bool simulated = false;
  std::vector<std::string> errors;  // what reached the loop's exception handler
};

inline void capture_into(LoopOptions& options, NetEnv& env) {
  options.exception_handler = [&env](Loop&, const ExceptionContext& c) {
    std::string s = c.message;
    if (c.exception) s += ": " + describe_exception(c.exception);
    env.errors.push_back(s);
  };
}

// Runs body(env) on real sockets, failing the test if it takes more than 30 s.
template <class Body>
void run_on_sockets(Body body) {
  NetEnv env;
  EpollDriver driver;
  RunOptions options;
  options.driver = &driver;
  options.handle_signals = false;
  capture_into(options, env);
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

// Runs body(env) under simulation (the simulated network of sim/net/), over seeds 0, 1, ...
// of the faithful strategy, naming the seed of a failure: 20 seeds, or fewer once 10 s of
// real time have gone (a heavy body under ASan); LOCKSTEP_NET_SEEDS=n runs exactly n,
// LOCKSTEP_SEED=s only seed s.
template <class Body>
void run_simulated(Body body) {
  const char* text = std::getenv("LOCKSTEP_NET_SEEDS");
  const char* one = std::getenv("LOCKSTEP_SEED");
  const std::uint64_t first = one ? std::strtoull(one, nullptr, 10) : 0;
  const std::uint64_t seeds = one ? 1 : text ? std::strtoull(text, nullptr, 10) : 20;
  const bool budget = !text && !one;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    if (budget && seed > first &&
        std::chrono::steady_clock::now() - start > std::chrono::seconds(10))
      break;
    NetEnv env;
    env.simulated = true;
    SimulationOptions options;
    options.seed = seed;
    options.exception_handler = [&env](Loop&, const ExceptionContext& c) {
      std::string s = c.message;
      if (c.exception) s += ": " + describe_exception(c.exception);
      env.errors.push_back(s);
    };
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

#define LOCKSTEP_NET_TEST(Suite, Name)                                                         \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::NetEnv& env);       \
  TEST(Suite##OnSockets, Name) { ::lockstep::testing::run_on_sockets(Suite##_##Name##_body); } \
  TEST(Suite##Simulated, Name) { ::lockstep::testing::run_simulated(Suite##_##Name##_body); }  \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::NetEnv& env)
