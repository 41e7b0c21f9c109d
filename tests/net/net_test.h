// NET_TEST: one test body, run over real loopback sockets (an EpollDriver loop) and, once
// the simulated network is wired in, under simulation. The body uses only 127.0.0.1/::1
// and ports the kernel (or the simulated network) picks; every run is bounded in real
// time, so a hang fails the test instead of the build.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop/epoll_driver.h"
#include "loop/lockstep.h"

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

}  // namespace lockstep::testing

#define LOCKSTEP_NET_TEST(Suite, Name)                                                         \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::NetEnv& env);       \
  TEST(Suite##OnSockets, Name) { ::lockstep::testing::run_on_sockets(Suite##_##Name##_body); } \
  static ::lockstep::Coro<void> Suite##_##Name##_body(::lockstep::testing::NetEnv& env)
