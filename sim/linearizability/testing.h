// The checker in tests: an assertion for LOCKSTEP_TEST bodies, one for plain gtest, and an
// invariant checked when a simulated run's scope ends. A failure (or an unknown verdict)
// puts the explanation and the failing history (Jepsen EDN) into the run's trace as log
// lines, which `lockstep show` prints.
//
//   LOCKSTEP_TEST(Kv, Linearizable) {
//     lockstep::lin::Recorder rec(lockstep::lin::loop_clock());
//     co_await run_clients(rec);                        // invoke/ok/fail/info as they go
//     CO_ASSERT_LINEARIZABLE(rec.history(), lockstep::lin::KvMap{});
//   }
//
//   lockstep::Coro<void> main_of_a_run(...) {
//     lockstep::lin::Recorder rec(lockstep::lin::loop_clock());
//     auto lin = lockstep::lin::linearizable_at_end(rec, lockstep::lin::KvMap{});
//     ...                                               // checked when `lin` goes
//   }
//
// CO_ASSERT_LINEARIZABLE(history, model[, budget]) ends the body (co_return) on failure,
// as CO_ASSERT_* do; EXPECT_LINEARIZABLE records the failure and goes on.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "loop/escape.h"
#include "sim/invariant.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/recorder.h"

namespace lockstep::lin {

// Writes `result` and the operations of its failing prefix (or of `history` when that
// has at most `max_ops`) to the running simulation's trace (lockstep::log; nothing
// outside a simulation).
void record_in_trace(const History& history, const CheckResult& result, std::size_t max_ops = 2000);

// check(), then record_in_trace() unless linearizable.
template <Model M>
CheckResult check_and_record(const History& history, const M& model, const Budget& budget = {}) {
  CheckResult result;
  {
    // The check's own time budget reads the real clock; it is the checker measuring its
    // work, not the program under test (only a check that runs out of time depends on it:
    // a replay that must be exact bounds states or memory instead, budget.h).
    AllowEscapes allow("the linearizability checker's time budget");
    result = check(history, model, budget);
  }
  if (!result.linearizable()) record_in_trace(history, result);
  return result;
}

// While it lives, nothing is checked; when it goes, the recorder's history is checked and
// a failure fails the run as an InvariantViolation of invariant `name` (sim/invariant.h).
// `recorder` must outlive it. Neither copyable nor movable: keep it where it was made.
template <Model M>
class LinearizableAtEnd {
 public:
  LinearizableAtEnd(const Recorder& recorder, M model, Budget budget, std::string name)
      : invariant_(std::move(name), [this, &recorder, model = std::move(model), budget] {
          return !ending_ || check_and_record(recorder.history(), model, budget).linearizable();
        }) {}
  LinearizableAtEnd(const LinearizableAtEnd&) = delete;
  LinearizableAtEnd& operator=(const LinearizableAtEnd&) = delete;
  ~LinearizableAtEnd() { ending_ = true; }  // invariant_ checks once more after this

 private:
  bool ending_ = false;  // true from the destructor on: the check runs for real
  Invariant invariant_;
};

template <Model M>
[[nodiscard]] LinearizableAtEnd<M> linearizable_at_end(
    const Recorder& recorder, M model, Budget budget = {},
    std::string name = "the history is linearizable") {
  return LinearizableAtEnd<M>(recorder, std::move(model), budget, std::move(name));
}

}  // namespace lockstep::lin

// In a LOCKSTEP_TEST body (a Coro<void>): fails the test and ends the body unless the
// history is linearizable; the message is the checker's text.
#define CO_ASSERT_LINEARIZABLE(history, model, ...)                                          \
  switch (0)                                                                                 \
  case 0:                                                                                    \
  default:                                                                                   \
    if (const ::lockstep::lin::CheckResult lockstep_lin_result_ =                            \
            ::lockstep::lin::check_and_record((history), (model)__VA_OPT__(, ) __VA_ARGS__); \
        lockstep_lin_result_.linearizable()) {                                               \
    } else                                                                                   \
      co_return GTEST_MESSAGE_("CO_ASSERT_LINEARIZABLE(" #history ", " #model ") failed",    \
                               ::testing::TestPartResult::kFatalFailure)                     \
          << lockstep_lin_result_.text

// Anywhere gtest's EXPECT_* go.
#define EXPECT_LINEARIZABLE(history, model, ...)                                             \
  switch (0)                                                                                 \
  case 0:                                                                                    \
  default:                                                                                   \
    if (const ::lockstep::lin::CheckResult lockstep_lin_result_ =                            \
            ::lockstep::lin::check_and_record((history), (model)__VA_OPT__(, ) __VA_ARGS__); \
        lockstep_lin_result_.linearizable()) {                                               \
    } else                                                                                   \
      ADD_FAILURE() << "EXPECT_LINEARIZABLE(" #history ", " #model ") failed\n"              \
                    << lockstep_lin_result_.text
