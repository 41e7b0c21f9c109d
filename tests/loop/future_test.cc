// Future<T>: states, results and errors, done callbacks (scheduled, ordered, removable),
// awaiting, and the never-retrieved exception report.
#include "loop/future.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;

void run_briefly(Loop& loop) {
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
}

TEST(FutureTest, PendingFutureHasNoResultYet) {
  Loop loop;
  Future<int> f(loop);
  EXPECT_FALSE(f.done());
  EXPECT_FALSE(f.cancelled());
  EXPECT_THROW(f.result(), InvalidStateError);
  EXPECT_THROW(f.exception(), InvalidStateError);
}

TEST(FutureTest, SetResultFinishesOnce) {
  Loop loop;
  Future<std::string> f(loop);
  f.set_result("ok");
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.result(), "ok");
  EXPECT_EQ(f.exception(), nullptr);
  EXPECT_THROW(f.set_result("again"), InvalidStateError);
  EXPECT_THROW(f.set_exception(std::runtime_error("x")), InvalidStateError);
  EXPECT_FALSE(f.cancel());
}

TEST(FutureTest, SetExceptionIsRethrownByResult) {
  Loop loop;
  Future<int> f(loop);
  f.set_exception(std::out_of_range("nope"));
  EXPECT_TRUE(f.done());
  EXPECT_THROW(f.result(), std::out_of_range);
  EXPECT_NE(f.exception(), nullptr);
}

TEST(FutureTest, CancelWithMessage) {
  Loop loop;
  Future<int> f(loop);
  EXPECT_TRUE(f.cancel("stop it"));
  EXPECT_TRUE(f.cancelled());
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.cancel("again"));
  for (int i = 0; i < 2; ++i) {  // a plain future keeps its message
    try {
      f.result();
      FAIL();
    } catch (const CancelledError& e) {
      EXPECT_EQ(e.message(), "stop it");
    }
  }
  EXPECT_THROW(f.exception(), CancelledError);
  EXPECT_THROW(f.set_result(1), InvalidStateError);
}

TEST(FutureTest, CancelledErrorIsNotAStdException) {
  static_assert(!std::is_base_of_v<std::exception, CancelledError>);
  bool swallowed_by_std_exception = false;
  try {
    try {
      throw CancelledError("x");
    } catch (const std::exception&) {
      swallowed_by_std_exception = true;
    }
  } catch (const CancelledError&) {
  }
  EXPECT_FALSE(swallowed_by_std_exception);
}

TEST(FutureTest, DoneCallbacksAreScheduledInRegistrationOrderNeverInline) {
  Loop loop;
  EventLog log;
  Future<int> f(loop);
  f.add_done_callback([&](Future<int>& d) { log("first " + std::to_string(d.result())); });
  f.add_done_callback([&] { log("second"); });
  loop.call_soon([&] { log("queued before set"); });
  f.set_result(7);
  log("after set_result");
  run_briefly(loop);
  EXPECT_THAT(log.lines, ElementsAre("after set_result", "queued before set", "first 7", "second"));
}

TEST(FutureTest, CallbackAddedToDoneFutureIsScheduledSoon) {
  Loop loop;
  EventLog log;
  Future<void> f(loop);
  f.set_result();
  f.add_done_callback([&] { log("cb"); });
  EXPECT_TRUE(log.lines.empty());
  run_briefly(loop);
  EXPECT_THAT(log.lines, ElementsAre("cb"));
}

TEST(FutureTest, RemoveDoneCallbackBeforeCompletion) {
  Loop loop;
  EventLog log;
  Future<void> f(loop);
  CallbackId a = f.add_done_callback([&] { log("a"); });
  f.add_done_callback([&] { log("b"); });
  EXPECT_EQ(f.remove_done_callback(a), 1u);
  EXPECT_EQ(f.remove_done_callback(a), 0u);
  f.set_result();
  run_briefly(loop);
  EXPECT_THAT(log.lines, ElementsAre("b"));
}

TEST(FutureTest, RemovingACallbackAlreadyScheduledDoesNotStopIt) {
  Loop loop;
  EventLog log;
  Future<void> f(loop);
  CallbackId a = f.add_done_callback([&] { log("a"); });
  f.set_result();
  EXPECT_EQ(f.remove_done_callback(a), 0u);  // asyncio: the list was emptied on completion
  run_briefly(loop);
  EXPECT_THAT(log.lines, ElementsAre("a"));
}

TEST(FutureTest, CancelSchedulesCallbacks) {
  Loop loop;
  EventLog log;
  Future<int> f(loop);
  f.add_done_callback([&](Future<int>& d) { log(d.cancelled() ? "cancelled" : "?"); });
  f.cancel();
  run_briefly(loop);
  EXPECT_THAT(log.lines, ElementsAre("cancelled"));
}

TEST(FutureTest, AwaitingAFutureResumesWithItsValue) {
  Loop loop;
  Future<int> f(loop);
  loop.call_later(2s, [f]() mutable { f.set_result(42); });
  auto waiter = [](Future<int> f) -> Coro<int> { co_return co_await f + 1; };
  EXPECT_EQ(loop.run_until_complete(waiter(f)), 43);
  EXPECT_EQ(loop.time(), TimePoint{} + 2s);
}

TEST(FutureTest, AwaitingAFailedFutureThrows) {
  Loop loop;
  Future<int> f(loop);
  loop.call_soon([f]() mutable { f.set_exception(std::runtime_error("bad")); });
  auto waiter = [](Future<int> f) -> Coro<std::string> {
    try {
      co_await f;
    } catch (const std::runtime_error& e) {
      co_return e.what();
    }
    co_return "no error";
  };
  EXPECT_EQ(loop.run_until_complete(waiter(f)), "bad");
}

TEST(FutureTest, MoveOnlyResult) {
  Loop loop;
  Future<std::unique_ptr<int>> f(loop);
  f.set_result(std::make_unique<int>(5));
  auto waiter = [](Future<std::unique_ptr<int>> f) -> Coro<int> { co_return *co_await f; };
  EXPECT_EQ(loop.run_until_complete(waiter(f)), 5);
}

TEST(FutureTest, ExceptionNeverRetrievedIsReported) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  {
    Future<int> f(loop);
    f.set_exception(std::runtime_error("lost"));
  }
  EXPECT_THAT(errors,
              ElementsAre("Future exception was never retrieved: std::runtime_error: lost"));
}

TEST(FutureTest, RetrievedExceptionIsNotReported) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  {
    Future<int> f(loop);
    f.set_exception(std::runtime_error("seen"));
    EXPECT_NE(f.exception(), nullptr);
  }
  {
    Future<int> f(loop);
    f.set_exception(std::runtime_error("cancelled later"));
    f.cancel();  // asyncio clears the flag on cancel() too
  }
  EXPECT_TRUE(errors.empty());
}

TEST(FutureTest, FutureWithoutARunningLoopIsAClearError) {
  EXPECT_THROW(Future<int>{}, RuntimeError);
}

// asyncio: RuntimeError('Task does not support set_result() operation'); lockstep's
// errors say they are lockstep's and name what was misused.
TEST(FutureTest, MisuseErrorsAreAsyncioTypesNamingWhatWasMisused) {
  Loop loop;
  Task<int> t = loop.create_task([]() -> Coro<int> { co_return 1; }(), "worker");
  Future<int> as_future = t;
  try {
    as_future.set_result(2);
    ADD_FAILURE() << "no error";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(),
                ::testing::StartsWith("lockstep: Task 'worker' does not support set_result()"));
  }
  Future<int> f(loop);
  try {
    f.result();
    ADD_FAILURE() << "no error";
  } catch (const InvalidStateError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("lockstep: Result is not ready: a Future "
                                                "created at "));
  }
  f.set_result(1);
  try {
    f.set_result(2);
    ADD_FAILURE() << "no error";
  } catch (const InvalidStateError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("lockstep: set_result() on a future that is "
                                                "already FINISHED: a Future created at "));
  }
  loop.run_until_complete(t);
  loop.close();
  EXPECT_THROW(loop.run_forever(), RuntimeError);
}

TEST(FutureTest, CancelWithoutAMessageIsNotCancelWithAnEmptyOne) {
  Loop loop;
  Future<int> none(loop), empty(loop);
  none.cancel();
  empty.cancel("");
  try {
    none.result();
  } catch (const CancelledError& e) {
    EXPECT_FALSE(e.has_message());
  }
  try {
    empty.result();
  } catch (const CancelledError& e) {
    EXPECT_TRUE(e.has_message());
    EXPECT_EQ(e.message(), "");
  }
}

TEST(FutureTest, CopiesShareState) {
  Loop loop;
  Future<int> a(loop);
  Future<int> b = a;
  b.set_result(3);
  EXPECT_TRUE(a.done());
  EXPECT_EQ(a.result(), 3);
  EXPECT_TRUE(a == b);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

TEST(OutcomeTest, AsOutcomeReportsValueErrorAndCancellationWithoutThrowing) {
  Loop loop;
  auto body = [&]() -> Coro<std::string> {
    Future<int> good = loop.create_future<int>(), bad = loop.create_future<int>(),
                gone = loop.create_future<int>();
    good.set_result(4);
    bad.set_exception(std::runtime_error("broken"));
    gone.cancel("gone away");
    Outcome<int> a = co_await as_outcome(good);
    Outcome<int> b = co_await as_outcome(bad);
    Outcome<int> c = co_await as_outcome(gone);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value(), 4);
    EXPECT_TRUE(b.failed());
    EXPECT_FALSE(b.cancelled());
    EXPECT_THROW(b.value(), std::runtime_error);
    EXPECT_TRUE(c.cancelled());
    EXPECT_EQ(describe_exception(c.exception()), "CancelledError: gone away");
    co_return "done";
  };
  EXPECT_EQ(loop.run_until_complete(body()), "done");
}

TEST(DescribeExceptionTest, NamesTheTypeAndTheMessageIfThereIsOne) {
  auto text = [](auto e) { return describe_exception(std::make_exception_ptr(e)); };
  EXPECT_EQ(text(CancelledError("gone away")), "CancelledError: gone away");
  EXPECT_EQ(text(CancelledError()), "CancelledError");  // as Python's traceback prints it
  EXPECT_EQ(text(std::runtime_error("broken")), "std::runtime_error: broken");
  EXPECT_EQ(text(std::runtime_error("")), "std::runtime_error");
  EXPECT_EQ(text(42), "int (not a std::exception)");
  EXPECT_EQ(describe_exception(nullptr), "(none)");
}

TEST(OutcomeTest, AsOutcomeOfATaskThatIsStillRunningWaitsForIt) {
  Loop loop;
  auto slow = []() -> Coro<void> {
    co_await sleep(std::chrono::seconds(2));
    throw std::logic_error("late failure");
  };
  auto body = [&]() -> Coro<bool> {
    Task<void> t = create_task(slow());
    Outcome<void> r = co_await as_outcome(t);
    co_return r.failed();
  };
  EXPECT_TRUE(loop.run_until_complete(body()));
  EXPECT_EQ(loop.time(), TimePoint{} + std::chrono::seconds(2));
}

TEST(OutcomeTest, AnAwaitedFutureCancelledBySomeoneElseIsAnOutcome) {
  Loop loop;
  Future<int> f(loop);
  auto body = [](Future<int> f) -> Coro<bool> { co_return (co_await as_outcome(f)).cancelled(); };
  loop.call_later(std::chrono::seconds(1), [f]() mutable { f.cancel(); });
  EXPECT_TRUE(loop.run_until_complete(body(f)));
}

TEST(OutcomeTest, TheAwaitingTasksOwnCancellationStillRaises) {
  Loop loop;
  Future<int> never(loop);
  auto body = [](Future<int> f) -> Coro<void> { co_await as_outcome(f); };
  Task<void> t = loop.create_task(body(never));
  loop.call_later(std::chrono::seconds(1), [t]() mutable { t.cancel("outer"); });
  EXPECT_THROW(loop.run_until_complete(Future<void>(t)), CancelledError);
  EXPECT_TRUE(never.cancelled());  // asyncio forwards the cancel to the awaited future
}

// Counts copies, to see when an await copies the value and when it moves it.
struct CopyCounter {
  int* copies;
  explicit CopyCounter(int* c) : copies(c) {}
  CopyCounter(const CopyCounter& o) : copies(o.copies) { ++*copies; }
  CopyCounter(CopyCounter&&) = default;
  CopyCounter& operator=(const CopyCounter&) = default;
};

TEST(FutureTest, AwaitingTheOnlyHandleMovesTheValueOtherwiseItIsCopied) {
  Loop loop;
  int copies = 0;
  auto body = [&]() -> Coro<void> {
    auto make = [&]() {
      Future<CopyCounter> f;
      f.set_result(CopyCounter(&copies));
      return f;
    };
    CopyCounter a = co_await make();  // a temporary, and nobody else holds the future
    EXPECT_EQ(copies, 0);
    Future<CopyCounter> kept = make();
    CopyCounter b = co_await kept;  // an lvalue: it can be awaited or read again
    EXPECT_EQ(copies, 1);
    CopyCounter c = co_await Future<CopyCounter>(kept);  // a temporary, but `kept` shares it
    EXPECT_EQ(copies, 2);
    EXPECT_EQ(kept.result().copies, &copies);  // still there
    (void)a, (void)b, (void)c;
  };
  loop.run_until_complete(body());
}

}  // namespace
}  // namespace lockstep
