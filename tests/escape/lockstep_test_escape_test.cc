// lockstep_test() links escape detection, and LOCKSTEP_TEST sweeps fail on an escape by
// default (LOCKSTEP_ESCAPES overrides): here with the escape allowed, so the sweep passes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "loop/lockstep.h"
#include "sim/escape.h"
#include "sim/testing/config.h"
#include "sim/testing/lockstep_test.h"

using namespace std::chrono_literals;

namespace {

int escaped_runs = 0;  // runs of the sweep below that saw the hook

__attribute__((noinline)) void stamp_log_line() {
  volatile auto t = std::chrono::system_clock::now();
  (void)t;
  asm volatile("" ::: "memory");
}

}  // namespace

TEST(LockstepTestEscapes, TheInterposersAreLinkedAndFailIsTheDefault) {
  EXPECT_TRUE(lockstep::escape_detection_linked());
  EXPECT_EQ(lockstep::TestOptions{}.escapes, lockstep::EscapeMode::kFail);
  if (!std::getenv("LOCKSTEP_ESCAPES")) {
    EXPECT_EQ(lockstep::read_test_config().escapes, std::nullopt);
  }
}

// The sweep runs with the hook installed; the allowed escape does not fail it.
LOCKSTEP_TEST(LockstepTestEscapes, AnAllowedEscapeDoesNotFailTheSweep) {
  if (lockstep::internal::escape_state.hook) ++escaped_runs;
  co_await lockstep::sleep(1ms);
  {
    lockstep::AllowEscapes allow("a log line's timestamp");
    stamp_log_line();
  }
}

TEST(LockstepTestEscapes, ZZTheSweepWasWatched) {  // after the sweep: gtest keeps file order
  if (std::getenv("LOCKSTEP_ESCAPES") || std::getenv("LOCKSTEP_SEED") ||
      std::getenv("TEST_TOTAL_SHARDS"))
    GTEST_SKIP() << "settings overridden";
  EXPECT_EQ(escaped_runs, 5);
}
