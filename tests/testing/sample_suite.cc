// Test subjects for integration_test.sh: LOCKSTEP_TESTs that pass, fail, stop at a
// CO_ASSERT, or are not deterministic, run as a subprocess so that their failures are
// what is being tested. Each one is selected with --gtest_filter.
#include <sys/mman.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "sim/testing/lockstep_test.h"

using namespace std::chrono_literals;

namespace {

// Appends a line to the file named by $SAMPLE_LOG, if set.
void log_line(const std::string& line) {
  if (const char* path = std::getenv("SAMPLE_LOG"))
    std::ofstream(path, std::ios::app) << line << "\n";
}

}  // namespace

// Records each seed it runs (the seed is what lockstep::random_below draws from).
LOCKSTEP_TEST(Sample, Passes, .seeds = 30) {
  co_await lockstep::sleep(std::chrono::milliseconds(1 + lockstep::random_below(3)));
  log_line("ran " + std::to_string(lockstep::random_below(1u << 30)));
}

// Fails for some seeds: two workers race on a shared counter across an await.
LOCKSTEP_TEST(Sample, LostUpdate, .seeds = 200, .strategy = lockstep::Strategy::kRandom) {
  int counter = 0;
  auto bump = [](int* counter) -> lockstep::Coro<void> {
    const int seen = *counter;
    co_await lockstep::sleep(std::chrono::milliseconds(lockstep::random_below(2)));
    *counter = seen + 1;
  };
  auto a = lockstep::create_task(bump(&counter), "a");
  auto b = lockstep::create_task(bump(&counter), "b");
  co_await a;
  co_await b;
  CO_ASSERT_EQ(counter, 2) << "an update was lost";
}

// CO_ASSERT ends the body: the line after it never runs.
LOCKSTEP_TEST(Sample, AssertStopsTheBody, .seeds = 1) {
  co_await lockstep::sleep(1ms);
  CO_ASSERT_TRUE(false) << "stop here";
  log_line("after the assert");
}

// Not deterministic: depends on state that outlives a run.
LOCKSTEP_TEST(Sample, Nondeterministic, .seeds = 3) {
  static int runs = 0;
  for (int i = 0; i < 1 + (runs++ % 2); ++i) co_await lockstep::sleep(1ms);
}

// A plain test in the same binary: sharded by test, not by seed.
TEST(Plain, RunsOnOneShard) { log_line("plain"); }

// CO_SKIP skips the whole sweep.
LOCKSTEP_TEST(Sample, Skips, .seeds = 5) {
  co_await lockstep::sleep(1ms);
  CO_SKIP() << "no network here";
  log_line("after the skip");
}

// A fixture whose SetUp skips: the body never runs.
class SkippingFixture : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_SKIP() << "precondition missing"; }
};
LOCKSTEP_TEST_F(SkippingFixture, BodyNeverRuns, .seeds = 3) {
  log_line("body ran");
  co_return;
}

// A task the body leaves behind fails while it is cancelled at the end of the run: that
// failure is the run's (and the task never outlives the fixture it uses).
class Ticker : public ::testing::Test {
 protected:
  int ticks = 0;
};
LOCKSTEP_TEST_F(Ticker, LateFailure, .seeds = 2) {
  lockstep::create_task(
      [](int* ticks) -> lockstep::Coro<void> {
        try {
          for (;;) {
            co_await lockstep::sleep(1ms);
            ++*ticks;  // the fixture's member: must still exist when cancelled
          }
        } catch (const lockstep::CancelledError&) {
          ADD_FAILURE() << "late failure after " << *ticks << " ticks";
          throw;
        }
      }(&ticks),
      "ticker");
  co_await lockstep::sleep(3500us);
}

// The process dies in the third run (seed 2) / the second (seed 1): the sweep must still
// say which seed.
LOCKSTEP_TEST(Sample, AbortsAtTheThirdSeed, .seeds = 10) {
  static int runs = 0;
  co_await lockstep::sleep(1ms);
  if (++runs == 3) std::abort();
}

LOCKSTEP_TEST(Sample, TerminatesAtTheSecondSeed, .seeds = 10) {
  static int runs = 0;
  co_await lockstep::sleep(1ms);
  if (++runs == 2) std::terminate();  // as an exception escaping a noexcept would
}

// A real fault (a write to a page with no access), at the second run (seed 1).
LOCKSTEP_TEST(Sample, FaultsAtTheSecondSeed, .seeds = 10) {
  static int runs = 0;
  co_await lockstep::sleep(1ms);
  if (++runs == 2) {
    void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
  }
}

// A child that raises and is never awaited: asyncio only logs "Task exception was never
// retrieved"; a LOCKSTEP_TEST fails the run, naming the task and the error.
lockstep::Coro<void> forget_a_failing_child() {
  {
    auto forgotten = lockstep::create_task(
        []() -> lockstep::Coro<void> {
          co_await lockstep::sleep(1ms);
          throw std::runtime_error("nobody looked");
        }(),
        "forgotten");
  }
  co_await lockstep::sleep(10ms);
}

LOCKSTEP_TEST(Sample, UnretrievedTaskError, .seeds = 5) { co_await forget_a_failing_child(); }

// The same, with the test's own switch set back to asyncio's warning.
LOCKSTEP_TEST(Sample, UnretrievedTaskErrorOnlyWarns, .seeds = 5,
              .unretrieved_errors = lockstep::UnretrievedErrors::kWarn) {
  co_await forget_a_failing_child();
}
