// GoogleTest integration: a test whose body is a coroutine, run under simulation once per
// seed of a sweep, with replayable failures.
//
//   #include "sim/testing/lockstep_test.h"
//
//   LOCKSTEP_TEST(Cache, ServesWhatWasStored) {          // 100 seeds by default
//     Cache cache;
//     co_await cache.put("k", 1);
//     CO_ASSERT_EQ(co_await cache.get("k"), 1);          // stops the body, like ASSERT_EQ
//   }
//   LOCKSTEP_TEST(Cache, SurvivesCancels, .seeds = 500,
//                 .cancellation = {.mode = lockstep::CancellationFuzzing::Mode::kRandom}) {...}
//   LOCKSTEP_TEST_F(CacheTest, Evicts) { ... }           // a fresh fixture for every seed
//
// On a failure the sweep stops and the test fails once, naming the seed, the strategy,
// the saved trace (and the shrunk one) and one command that replays exactly that run.
// The environment steers every sweep (LOCKSTEP_SEED, LOCKSTEP_SEEDS, LOCKSTEP_STRATEGY,
// LOCKSTEP_REPLAY, ...: see sim/testing/config.h); link //sim/testing:main (or use the
// lockstep_test() Bazel macro of sim/testing/defs.bzl) so that sharded runs split the seeds.
//
// Inside a body: CO_ASSERT_* stop the body as ASSERT_* stop a function (gtest's ASSERT_*
// use `return`, which a coroutine cannot); EXPECT_* and CO_EXPECT_* record and go on;
// CO_SKIP() skips the whole sweep. When the body returns, tasks it left running are
// cancelled and waited for (before the fixture's TearDown).
//
// Not for coroutine bodies: gtest's HasFailure()/HasFatalFailure() (a run's failures are
// held back until the sweep reports; use lockstep::internal::current_run_has_fatal_failure),
// and SCOPED_TRACE or EXPECT_NO_FATAL_FAILURE around a co_await (gtest keeps their state
// per thread, and other tasks run in between).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "faults/fault_plan.h"
#include "loop/coro.h"
#include "sim/simulation.h"
#include "sim/strategy.h"

namespace lockstep {

// A test's own defaults; the environment (sim/testing/config.h) overrides each of them.
struct TestOptions {
  std::uint64_t seeds = 100;  // seeds first_seed .. first_seed + seeds - 1
  std::uint64_t first_seed = 0;
  Strategy strategy = Strategy::kFaithful;
  CancellationFuzzing cancellation = {};  // off unless set
  std::optional<FaultPlan> faults = {};   // none unless set
  std::uint64_t max_shrink_runs = 2000;   // shrinking budget for a failure
  double max_shrink_seconds = 30;
  // A task that raised and was never awaited fails the run (kWarn: only reported).
  UnretrievedErrors unretrieved_errors = UnretrievedErrors::kFail;
  // A call that bypasses the simulation (sim/escape.h) fails the run; detected in binaries
  // linking //sim/escape:interpose, as lockstep_test() targets do.
  EscapeMode escapes = EscapeMode::kFail;
  // Call sites allowed to escape (SimulationOptions::allow_escapes).
  std::vector<std::string> allow_escapes{};
};

// How a run of a LOCKSTEP_TEST fails when its body recorded a gtest failure (what(): the
// failure's file, line and message): sweeps stop at it, shrinking keeps it, traces end
// in it.
class TestFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace internal {

// One LOCKSTEP_TEST: what the sweep needs to know about it.
struct LockstepTestCase {
  std::string suite;
  std::string name;
  const char* file;
  int line;
  TestOptions options;
};

// Runs the sweep (or the replay) of `test` in the current gtest test. `make_run` creates
// the coroutine of one run (for a fixture test: a fresh fixture, set up, body, torn down).
void run_lockstep_test(const LockstepTestCase& test, const std::function<Coro<void>()>& make_run);

// Registers a LOCKSTEP_TEST's name, so //sim/testing:main can tell sweeps from plain tests.
bool register_lockstep_test(const char* suite, const char* name);
bool is_lockstep_test(const std::string& suite, const std::string& name);
// Called by //sim/testing:main, which keeps gtest from sharding tests: sweeps then split
// their seeds across Bazel's shards instead. Without it each sweep runs all its seeds.
void enable_seed_sharding();
// After the tests: LOCKSTEP_REPLAY names a trace of this target that no test replayed (a
// renamed test, a wrong filter), and what to say; else nullopt. Throws ConfigError on a
// bad environment.
std::optional<std::string> unreplayed_trace();
// HasFatalFailure() and IsSkipped() for the current run of a sweep (whose failures are
// intercepted, so gtest's own functions do not see them).
bool current_run_has_fatal_failure();
bool current_run_skipped();
// The --config flags of ./bazelw that this binary was built with (" --config=asan",
// " --config=clang", or ""), so that a printed rerun command reproduces under them.
std::string build_configs();
// Cancels every task but the current one and waits until they are all done.
Coro<void> settle_other_tasks();

// The gtest test that runs a sweep. `Body` derives from the fixture; its SetUp/TearDown
// run around each seed's run, not around the sweep.
template <class Body>
class SweepTest : public Body {
 public:
  explicit SweepTest(LockstepTestCase test) : test_(std::move(test)) {}
  void TestBody() override {
    run_lockstep_test(test_, []() -> Coro<void> {
      auto fixture = std::make_unique<Body>();
      std::exception_ptr failure;
      try {
        fixture->lockstep_set_up();
      } catch (...) {
        failure = std::current_exception();
      }
      // As in gtest: a fatal failure or a skip in SetUp skips the body; TearDown runs
      // regardless. Tasks the body left behind are cancelled and waited for first, so
      // they never outlive the fixture and their failures count in this run.
      if (!failure && !current_run_has_fatal_failure() && !current_run_skipped()) {
        try {
          co_await fixture->LockstepBody();
        } catch (...) {
          failure = std::current_exception();
        }
      }
      co_await settle_other_tasks();
      try {
        fixture->lockstep_tear_down();
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
      if (failure) std::rethrow_exception(failure);
    });
  }

 private:
  LockstepTestCase test_;
};

}  // namespace internal
}  // namespace lockstep

#define LOCKSTEP_CLASS_(suite, name) suite##_##name##_LockstepTest

// The body class: derives from the fixture, holds the coroutine body, and runs the
// fixture's SetUp/TearDown only for the per-seed instances. The sweep's own instance runs
// no SetUp/TearDown, but is constructed and destroyed once, outside any loop: a fixture
// whose constructor needs a running loop (creates tasks or futures) must do that in SetUp.
#define LOCKSTEP_TEST_IMPL_(suite, name, fixture, ...)                                      \
  class LOCKSTEP_CLASS_(suite, name) : public fixture {                                     \
   public:                                                                                  \
    ::lockstep::Coro<void> LockstepBody();                                                  \
    void lockstep_set_up() { fixture::SetUp(); }                                            \
    void lockstep_tear_down() { fixture::TearDown(); }                                      \
    void SetUp() override {}                                                                \
    void TearDown() override {}                                                             \
    void TestBody() override {}                                                             \
  };                                                                                        \
  [[maybe_unused]] static const bool suite##_##name##_lockstep_registered_ =                \
      ::lockstep::internal::register_lockstep_test(#suite, #name) &&                        \
      ::testing::RegisterTest(                                                              \
          #suite, #name, nullptr, nullptr, __FILE__, __LINE__, []() -> fixture* {           \
            return new ::lockstep::internal::SweepTest<LOCKSTEP_CLASS_(suite, name)>(       \
                {#suite, #name, __FILE__, __LINE__, ::lockstep::TestOptions{__VA_ARGS__}}); \
          }) != nullptr;                                                                    \
  ::lockstep::Coro<void> LOCKSTEP_CLASS_(suite, name)::LockstepBody()

// A test whose body is a coroutine, run once per seed. Optional designated initializers
// of lockstep::TestOptions follow the name: LOCKSTEP_TEST(S, N, .seeds = 500).
#define LOCKSTEP_TEST(suite, name, ...) \
  LOCKSTEP_TEST_IMPL_(suite, name, ::testing::Test __VA_OPT__(, ) __VA_ARGS__)
// The same with a fixture: a fresh one, SetUp and TearDown, for every seed.
#define LOCKSTEP_TEST_F(fixture, name, ...) \
  LOCKSTEP_TEST_IMPL_(fixture, name, fixture __VA_OPT__(, ) __VA_ARGS__)

// gtest's fatal assertions for coroutine bodies: on failure they end the coroutine with
// co_return (so only in Coro<void>), as ASSERT_* end a void function.
#define LOCKSTEP_CO_FATAL_FAILURE_(message) \
  co_return GTEST_MESSAGE_(message, ::testing::TestPartResult::kFatalFailure)
#define LOCKSTEP_CO_ASSERT_(expression) GTEST_ASSERT_(expression, LOCKSTEP_CO_FATAL_FAILURE_)

#define CO_ASSERT_TRUE(condition) \
  GTEST_TEST_BOOLEAN_(condition, #condition, false, true, LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_FALSE(condition) \
  GTEST_TEST_BOOLEAN_(!(condition), #condition, true, false, LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_EQ(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::EqHelper::Compare(#a, #b, a, b))
#define CO_ASSERT_NE(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperNE(#a, #b, a, b))
#define CO_ASSERT_LT(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperLT(#a, #b, a, b))
#define CO_ASSERT_LE(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperLE(#a, #b, a, b))
#define CO_ASSERT_GT(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperGT(#a, #b, a, b))
#define CO_ASSERT_GE(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperGE(#a, #b, a, b))
#define CO_ASSERT_STREQ(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperSTREQ(#a, #b, a, b))
#define CO_ASSERT_STRNE(a, b) LOCKSTEP_CO_ASSERT_(::testing::internal::CmpHelperSTRNE(#a, #b, a, b))
#define CO_ASSERT_NEAR(a, b, abs_error)                                           \
  GTEST_PRED_FORMAT3_(::testing::internal::DoubleNearPredFormat, a, b, abs_error, \
                      LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_DOUBLE_EQ(a, b)                                                  \
  GTEST_PRED_FORMAT2_(::testing::internal::CmpHelperFloatingPointEQ<double>, a, b, \
                      LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_THROW(statement, exception) \
  GTEST_TEST_THROW_(statement, exception, LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_NO_THROW(statement) GTEST_TEST_NO_THROW_(statement, LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_ASSERT_ANY_THROW(statement) GTEST_TEST_ANY_THROW_(statement, LOCKSTEP_CO_FATAL_FAILURE_)
#define CO_FAIL() LOCKSTEP_CO_FATAL_FAILURE_("Failed")
// Skips the sweep (GTEST_SKIP for coroutine bodies): CO_SKIP() << "needs a network".
#define CO_SKIP() co_return GTEST_MESSAGE_("Skipped", ::testing::TestPartResult::kSkip)

// EXPECT_* never return, so they work in coroutines as they are; these names are for
// symmetry with CO_ASSERT_*.
#define CO_EXPECT_TRUE(condition) EXPECT_TRUE(condition)
#define CO_EXPECT_FALSE(condition) EXPECT_FALSE(condition)
#define CO_EXPECT_EQ(a, b) EXPECT_EQ(a, b)
#define CO_EXPECT_NE(a, b) EXPECT_NE(a, b)
#define CO_EXPECT_LT(a, b) EXPECT_LT(a, b)
#define CO_EXPECT_LE(a, b) EXPECT_LE(a, b)
#define CO_EXPECT_GT(a, b) EXPECT_GT(a, b)
#define CO_EXPECT_GE(a, b) EXPECT_GE(a, b)
