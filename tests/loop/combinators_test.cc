// gather, shield, wait, wait_for, timeout, as_completed: the behaviours each one names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;

Coro<int> after(Duration d, int v) {
  co_await sleep(d);
  co_return v;
}

Coro<int> fail_after(Duration d, std::string what) {
  co_await sleep(d);
  throw std::runtime_error(what);
}

double now() { return to_seconds(Loop::current()->time()); }

TEST(GatherTest, ResultsInArgumentOrderAndChildrenRunConcurrently) {
  Loop loop;
  auto body = []() -> Coro<void> {
    auto [a, b, c] = co_await gather(after(3s, 1), after(1s, 2), after(2s, 3));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);
    EXPECT_EQ(c, 3);
    EXPECT_EQ(now(), 3.0);  // not 6
  };
  loop.run_until_complete(body());
}

TEST(GatherTest, RangeFormAndVoidChildren) {
  Loop loop;
  auto body = []() -> Coro<void> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(create_task(after(Duration(5 - i), i)));
    std::vector<int> r = co_await gather(tasks);
    EXPECT_THAT(r, ElementsAre(0, 1, 2, 3, 4));
    auto [v] = co_await gather(create_task([]() -> Coro<void> { co_return; }()));
    EXPECT_EQ(v, std::monostate{});
    auto empty = co_await gather(std::vector<Task<int>>{});
    EXPECT_TRUE(empty.empty());
  };
  loop.run_until_complete(body());
}

TEST(GatherTest, FirstErrorPropagatesWhileOthersKeepRunning) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> slow = create_task(after(5s, 1));
    try {
      co_await gather(fail_after(1s, "boom"), slow);
      ADD_FAILURE();
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom");
    }
    EXPECT_FALSE(slow.done());  // gather does not cancel siblings
    EXPECT_EQ(co_await slow, 1);
  };
  loop.run_until_complete(body());
}

TEST(GatherTest, ReturnExceptionsGivesAnOutcomePerChild) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Future<int> cancelled = Loop::current()->create_future<int>();
    cancelled.cancel("nope");
    auto [a, b, c] =
        co_await gather(return_exceptions, after(1s, 7), fail_after(1s, "bad"), cancelled);
    EXPECT_EQ(a.value(), 7);
    EXPECT_TRUE(b.failed());
    EXPECT_TRUE(c.cancelled());
    EXPECT_EQ(describe_exception(c.exception()), "CancelledError: nope");
  };
  loop.run_until_complete(body());
}

TEST(GatherTest, CancellingTheGatherCancelsTheChildren) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> a = create_task(after(10s, 1));
    Task<int> b = create_task(after(10s, 2));
    auto g = gather(return_exceptions, a, b);
    co_await sleep(1s);
    EXPECT_TRUE(g.cancel("stop"));
    EXPECT_THROW(co_await g, CancelledError);  // even with return_exceptions
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(b.cancelled());
  };
  loop.run_until_complete(body());
}

TEST(GatherTest, DuplicatesAreAwaitedOnceAndReportedAtEachPosition) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> t = create_task(after(1s, 5));
    auto [x, y] = co_await gather(t, t);
    EXPECT_EQ(x, 5);
    EXPECT_EQ(y, 5);
  };
  loop.run_until_complete(body());
}

// g++ 12 evaluated the move of the children before reading them for the loop: a
// gather of futures made outside a running loop threw "needs a running loop".
TEST(GatherTest, OfFuturesOutsideARunningLoopBindsToTheirLoop) {
  Loop loop;
  Future<int> a(loop), b(loop);
  auto g = gather(a, b);
  auto r = gather(std::vector<Future<int>>{a, b});
  EXPECT_FALSE(g.done());
  a.set_result(1);
  b.set_result(2);
  EXPECT_EQ(loop.run_until_complete(g), std::make_tuple(1, 2));
  EXPECT_EQ(loop.run_until_complete(r), std::vector<int>({1, 2}));
}

// CPython uses the children's loop, not the running one.
TEST(GatherTest, InsideARunningLoopBindsToTheChildrensLoop) {
  Loop other;
  Future<int> a(other);
  Loop loop;
  auto body = [&]() -> Coro<void> {
    auto g = gather(a);
    EXPECT_EQ(&g.base().loop(), &other);
    auto r = gather(std::vector<Future<int>>{a});
    EXPECT_EQ(&r.base().loop(), &other);
    co_return;
  };
  loop.run_until_complete(body());
}

// asyncio's _done_callback stays on the children after the caller dropped a failed
// gather and marks a later child failure retrieved: CPython 3.11 logs nothing.
TEST(GatherTest, AChildFailingAfterItsDroppedGatherFailedIsNotReported) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  auto body = []() -> Coro<void> {
    Task<int> late = create_task(fail_after(2s, "late"));
    try {
      co_await gather(fail_after(1s, "first"), late);
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
    co_await sleep(2s);
    EXPECT_TRUE(late.done());
  };
  loop.run_until_complete(body());
  EXPECT_THAT(errors, ::testing::IsEmpty());
}

TEST(ShieldTest, CancellingTheOuterLeavesTheInnerRunning) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> inner = create_task(after(2s, 42));
    auto waiter = [](Task<int> t) -> Coro<int> { co_return co_await shield(t); };
    Task<int> outer = create_task(waiter(inner));
    co_await sleep(1s);
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_FALSE(inner.done());
    EXPECT_EQ(co_await inner, 42);
  };
  loop.run_until_complete(body());
}

TEST(ShieldTest, CancellingTheInnerCancelsTheOuter) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> inner = create_task(after(2s, 42));
    Future<int> outer = shield(inner);
    co_await sleep(1s);
    inner.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_TRUE(outer.cancelled());
  };
  loop.run_until_complete(body());
}

TEST(ShieldTest, AnInnerErrorAfterTheOuterWasCancelledIsReportedNotLost) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  auto body = []() -> Coro<void> {
    Future<int> outer = shield(fail_after(2s, "lost?"));
    co_await sleep(1s);
    outer.cancel();
    co_await sleep(2s);
  };
  loop.run_until_complete(body());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::HasSubstr("Task exception was never retrieved"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("lost?"));
}

TEST(WaitTest, FirstCompletedReturnsDoneAndPendingInInputOrderWithoutCancelling) {
  Loop loop;
  auto body = []() -> Coro<void> {
    std::vector<Task<int>> ts{create_task(after(3s, 0)), create_task(after(1s, 1)),
                              create_task(after(2s, 2))};
    auto r = co_await wait(ts, FIRST_COMPLETED);
    EXPECT_EQ(now(), 1.0);
    EXPECT_EQ(r.done.size(), 1u);
    EXPECT_EQ(r.done.at(0).result(), 1);
    EXPECT_EQ(r.pending.size(), 2u);
    EXPECT_FALSE(r.pending.at(0).cancelled());
    auto all = co_await wait(ts);
    EXPECT_EQ(all.done.size(), 3u);
    EXPECT_EQ(now(), 3.0);
  };
  loop.run_until_complete(body());
}

TEST(WaitTest, FirstExceptionAndTimeout) {
  Loop loop;
  auto body = []() -> Coro<void> {
    std::vector<Task<int>> ts{create_task(after(5s, 0)), create_task(fail_after(1s, "x"))};
    auto r = co_await wait(ts, FIRST_EXCEPTION);
    EXPECT_EQ(now(), 1.0);
    EXPECT_EQ(r.done.size(), 1u);
    auto t = co_await wait(ts, ALL_COMPLETED, 2s);
    EXPECT_EQ(now(), 3.0);
    EXPECT_EQ(t.pending.size(), 1u);  // a timeout returns what is pending, cancels nothing
    EXPECT_FALSE(ts[0].cancelled());
    EXPECT_THROW(co_await wait(std::vector<Task<int>>{}), std::invalid_argument);
    ts[0].cancel();
  };
  loop.run_until_complete(body());
}

TEST(WaitForTest, TimeoutCancelsTheInnerAndWaitsForIt) {
  Loop loop;
  EventLog log;
  auto slow_cleanup = [](EventLog& log) -> Coro<int> {
    bool cancelled = false;
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
      cancelled = true;
    }
    if (cancelled) {
      log("inner cancelled at " + std::to_string(now()));
      co_await sleep(1s);  // cleanup takes a second
      log("inner cleaned up at " + std::to_string(now()));
      throw CancelledError();
    }
    co_return 0;
  };
  auto body = [&]() -> Coro<void> {
    Task<int> inner = create_task(slow_cleanup(log));
    try {
      co_await wait_for(inner, 2s);
      ADD_FAILURE();
    } catch (const TimeoutError&) {
      log("TimeoutError at " + std::to_string(now()));
    }
    EXPECT_TRUE(inner.done());
  };
  loop.run_until_complete(body());
  EXPECT_THAT(log.lines, ElementsAre("inner cancelled at 2.000000", "inner cleaned up at 3.000000",
                                     "TimeoutError at 3.000000"));
}

TEST(WaitForTest, ResultInTimeNoTimeoutAndZeroTimeout) {
  Loop loop;
  auto body = []() -> Coro<void> {
    EXPECT_EQ(co_await wait_for(after(1s, 3), 2s), 3);
    EXPECT_EQ(co_await wait_for(after(100s, 4), std::nullopt), 4);
    bool ran = false;
    auto mark = [](bool& ran) -> Coro<int> {
      ran = true;
      co_return 1;
    };
    EXPECT_THROW(co_await wait_for(mark(ran), 0s), TimeoutError);
    EXPECT_FALSE(ran);  // a coroutine with timeout 0 never runs
    Future<int> done = Loop::current()->create_future<int>();
    done.set_result(9);
    EXPECT_EQ(co_await wait_for(done, 0s), 9);
  };
  loop.run_until_complete(body());
}

TEST(WaitForTest, InnerThatSwallowsTheCancellationReturnsItsValue) {
  Loop loop;
  auto stubborn = []() -> Coro<int> {
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
    }
    co_return 7;
  };
  auto body = [&]() -> Coro<int> { co_return co_await wait_for(create_task(stubborn()), 1s); };
  EXPECT_EQ(loop.run_until_complete(body()), 7);
}

TEST(WaitForTest, OuterCancellationIsNotMistakenForATimeout) {
  Loop loop;
  auto body = []() -> Coro<void> { co_await wait_for(after(10s, 1), 5s); };
  Task<void> t = loop.create_task(body());
  loop.call_later(1s, [t]() mutable { t.cancel("from outside"); });
  EXPECT_THROW(loop.run_until_complete(Future<void>(t)), CancelledError);
  EXPECT_TRUE(t.cancelled());
}

TEST(TimeoutTest, ExpiredRescheduleAndWhen) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Timeout cm = timeout(1s);
    EXPECT_EQ(cm.when(), TimePoint{} + 1s);
    auto work = [](Timeout& cm) -> Coro<int> {
      cm.reschedule(Loop::current()->time() + 3s);
      co_await sleep(2s);
      co_return 5;
    };
    EXPECT_EQ(co_await cm.run(work(cm)), 5);
    EXPECT_FALSE(cm.expired());
    EXPECT_THROW(cm.reschedule(std::nullopt), std::logic_error);
    Timeout short_cm = timeout(1s);
    EXPECT_THROW(co_await short_cm.run(after(2s, 0)), TimeoutError);
    EXPECT_TRUE(short_cm.expired());
    EXPECT_EQ(current_task().cancelling(), 0);  // the timeout's own cancel was withdrawn
  };
  loop.run_until_complete(body());
}

TEST(AsCompletedTest, YieldsInCompletionOrderThenTimesOut) {
  Loop loop;
  auto body = []() -> Coro<void> {
    std::vector<Task<int>> ts{create_task(after(3s, 3)), create_task(after(1s, 1)),
                              create_task(after(10s, 10))};
    auto it = as_completed(ts, 5s);
    EXPECT_EQ(it.size(), 3u);
    EXPECT_EQ(co_await it.next(), 1);
    EXPECT_EQ(co_await it.next(), 3);
    EXPECT_THROW(co_await it.next(), TimeoutError);
    EXPECT_EQ(now(), 5.0);
    ts[2].cancel();
  };
  loop.run_until_complete(body());
}

// asyncio.as_completed takes any awaitable: coroutines become tasks when iteration begins.
TEST(AsCompletedTest, TakesCoroutinesWhichBecomeTasksWhenIterationBegins) {
  Loop loop;
  auto body = []() -> Coro<void> {
    std::vector<Coro<int>> coros;
    coros.push_back(after(3s, 3));
    coros.push_back(after(1s, 1));
    coros.push_back(after(10s, 10));
    auto it = as_completed(std::move(coros), 5s);
    EXPECT_EQ(it.size(), 3u);
    EXPECT_EQ(all_tasks().size(), 1u);  // nothing started yet: only this task
    EXPECT_EQ(co_await it.next(), 1);
    EXPECT_EQ(all_tasks().size(), 3u);  // the 1s task finished, two still run
    EXPECT_EQ(co_await it.next(), 3);
    EXPECT_THROW(co_await it.next(), TimeoutError);
    EXPECT_EQ(now(), 5.0);
  };
  loop.run_until_complete(body());
}

// Python: `raise TimeoutError from exc`: the TimeoutError carries the CancelledError the
// deadline caused, for timeout(), wait_for() and wait_for() with a zero timeout.
TEST(TimeoutTest, TheTimeoutErrorCarriesTheCancelledErrorItReplaced) {
  Loop loop;
  auto cause_of = [](const TimeoutError& e) {
    return e.cause() ? describe_exception(e.cause()) : std::string("none");
  };
  auto body = [&]() -> Coro<void> {
    try {
      co_await wait_for(after(5s, 1), 1s);
      ADD_FAILURE();
    } catch (const TimeoutError& e) {
      EXPECT_EQ(cause_of(e), "CancelledError");
    }
    try {
      co_await wait_for(create_task(after(5s, 1)), 0s);
      ADD_FAILURE();
    } catch (const TimeoutError& e) {
      EXPECT_EQ(cause_of(e), "CancelledError");
    }
    try {
      auto scope = timeout(1s);
      co_await scope.run(after(5s, 1));
      ADD_FAILURE();
    } catch (const TimeoutError& e) {
      EXPECT_EQ(cause_of(e), "CancelledError");
    }
    Task<int> t = create_task(after(5s, 1));
    auto it = as_completed(std::vector<Task<int>>{t}, 1s);
    try {
      co_await it.next();
      ADD_FAILURE();
    } catch (const TimeoutError& e) {
      EXPECT_EQ(cause_of(e), "none");  // asyncio raises a bare TimeoutError here
    }
    t.cancel();
  };
  loop.run_until_complete(body());
}

TEST(EnsureFutureTest, WrapsACoroutineAndPassesAFutureThrough) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Task<int> t = ensure_future(after(1s, 2), "wrapped");
    EXPECT_EQ(t.get_name(), "wrapped");
    Future<int> f = ensure_future(Future<int>(t));
    EXPECT_TRUE(f == t);
    EXPECT_EQ(co_await f, 2);
  };
  loop.run_until_complete(body());
}

TEST(CloseTest, CyclesThroughPendingCallbacksAreBrokenAtClose) {
  // A gather and a shield over futures nobody will ever set: their callbacks own
  // references back to them. Closing the loop must free everything (else ~Loop aborts).
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  auto body = []() -> Coro<void> {
    Future<int> never = Loop::current()->create_future<int>();
    auto g = gather(never, after(1s, 1));
    auto s = shield(never);
    co_await sleep(0s);
  };
  loop.run_until_complete(body());
  loop.close();
  SUCCEED();
}

}  // namespace
}  // namespace lockstep
