// Task<T>: scheduling, cancellation requests and their delivery, cancelling/uncancel,
// names, current_task/all_tasks, and the destroyed-pending / never-retrieved reports.
#include "loop/task.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;

TEST(TaskTest, FirstStepIsScheduledWithCallSoon) {
  Loop loop;
  EventLog log;
  auto body = [](EventLog& log) -> Coro<void> {
    log("task runs");
    co_return;
  };
  auto top = [&]() -> Coro<void> {
    Task<void> t = create_task(body(log), "child");
    log("created");
    co_await sleep(0s);
    log("after one yield");
    co_await t;
  };
  loop.run_until_complete(top());
  EXPECT_THAT(log.lines, ElementsAre("created", "task runs", "after one yield"));
}

TEST(TaskTest, ResultOfATaskIsItsCoroutinesValue) {
  Loop loop;
  auto body = []() -> Coro<int> {
    co_await sleep(1s);
    co_return 9;
  };
  Task<int> t = loop.create_task(body(), "nine");
  EXPECT_EQ(loop.run_until_complete(Future<int>(t)), 9);
  EXPECT_EQ(t.result(), 9);
  EXPECT_EQ(t.get_name(), "nine");
}

TEST(TaskTest, DefaultNamesCountOnlyUnnamedTasks) {
  Loop loop;
  auto nop = []() -> Coro<void> { co_return; };
  Task<void> a = loop.create_task(nop());
  Task<void> b = loop.create_task(nop(), "named");
  Task<void> c = loop.create_task(nop());
  EXPECT_EQ(a.get_name(), "Task-1");
  EXPECT_EQ(b.get_name(), "named");
  EXPECT_EQ(c.get_name(), "Task-2");
  c.set_name("renamed");
  EXPECT_EQ(c.get_name(), "renamed");
  loop.run_until_complete(Future<void>(c));
}

TEST(TaskTest, TaskDoesNotSupportSetResult) {
  Loop loop;
  auto nop = []() -> Coro<int> { co_return 1; };
  Task<int> t = loop.create_task(nop());
  Future<int>& as_future = t;
  EXPECT_THROW(as_future.set_result(3), std::logic_error);
  loop.run_until_complete(as_future);
}

TEST(TaskTest, CancelIsDeliveredAtTheCurrentAwaitWithItsMessage) {
  Loop loop;
  EventLog log;
  auto sleeper = [](EventLog& log) -> Coro<void> {
    try {
      co_await sleep(10s);
    } catch (const CancelledError& e) {
      log("caught: " + e.message());
      throw;
    }
  };
  auto top = [&]() -> Coro<void> {
    Task<void> t = create_task(sleeper(log), "sleeper");
    co_await sleep(1s);
    EXPECT_TRUE(t.cancel("enough"));
    EXPECT_FALSE(t.done());  // only a request
    try {
      co_await t;
    } catch (const CancelledError& e) {
      log("awaiter sees: " + e.message());
    }
    EXPECT_TRUE(t.cancelled());
  };
  loop.run_until_complete(top());
  EXPECT_THAT(log.lines, ElementsAre("caught: enough", "awaiter sees: enough"));
  EXPECT_EQ(loop.time(), TimePoint{} + 1s);  // no waiting for the 10s timer
}

TEST(TaskTest, CancelBeforeTheFirstStepMeansTheBodyNeverRuns) {
  Loop loop;
  bool ran = false;
  auto body = [](bool& ran) -> Coro<void> {
    ran = true;
    co_return;
  };
  Task<void> t = loop.create_task(body(ran));
  t.cancel("early");
  EXPECT_THROW(loop.run_until_complete(Future<void>(t)), CancelledError);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(t.cancelled());
}

TEST(TaskTest, TaskThatCatchesCancellationAndReturnsIsNotCancelled) {
  Loop loop;
  auto stubborn = []() -> Coro<int> {
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
      co_return 1;
    }
    co_return 0;
  };
  auto top = [&]() -> Coro<int> {
    Task<int> t = create_task(stubborn());
    co_await sleep(0s);
    t.cancel();
    int v = co_await t;
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 1);  // the request is still counted
    co_return v;
  };
  EXPECT_EQ(loop.run_until_complete(top()), 1);
}

TEST(TaskTest, CancellingCountsRequestsAndUncancelWithdrawsThem) {
  Loop loop;
  auto body = []() -> Coro<void> {
    AnyTask self = current_task();
    EXPECT_EQ(self.cancelling(), 0);
    self.cancel();
    self.cancel();
    EXPECT_EQ(self.cancelling(), 2);
    EXPECT_EQ(self.uncancel(), 1);
    EXPECT_EQ(self.uncancel(), 0);
    EXPECT_EQ(self.uncancel(), 0);  // never below zero
    try {
      co_await sleep(0s);  // the request is still delivered: uncancel() does not retract it
      ADD_FAILURE() << "expected CancelledError";
    } catch (const CancelledError&) {
    }
  };
  loop.run_until_complete(body());
}

TEST(TaskTest, CancellingATaskAwaitingAnotherTaskCancelsTheInnerOne) {
  Loop loop;
  EventLog log;
  auto inner = [](EventLog& log) -> Coro<void> {
    try {
      co_await sleep(10s);
    } catch (const CancelledError& e) {
      log("inner cancelled: " + e.message());
      throw;
    }
  };
  auto outer = [&](EventLog& log) -> Coro<void> {
    Task<void> t = create_task(inner(log), "inner");
    try {
      co_await t;
    } catch (const CancelledError& e) {
      log("outer cancelled: " + e.message() + ", inner cancelled? " +
          (t.cancelled() ? "yes" : "no"));
      throw;
    }
  };
  auto top = [&]() -> Coro<void> {
    Task<void> o = create_task(outer(log), "outer");
    co_await sleep(1s);
    o.cancel("stop");
    try {
      co_await o;
    } catch (const CancelledError&) {
    }
  };
  loop.run_until_complete(top());
  EXPECT_THAT(log.lines,
              ElementsAre("inner cancelled: stop", "outer cancelled: stop, inner cancelled? yes"));
}

TEST(TaskTest, CancelOfADoneTaskReturnsFalse) {
  Loop loop;
  auto nop = []() -> Coro<void> { co_return; };
  Task<void> t = loop.create_task(nop());
  loop.run_until_complete(Future<void>(t));
  EXPECT_FALSE(t.cancel());
  EXPECT_EQ(t.cancelling(), 0);
}

TEST(TaskTest, SecondRetrievalOfATaskCancellationLosesTheMessageAsInCPython) {
  Loop loop;
  auto body = []() -> Coro<void> { co_await sleep(10s); };
  Task<void> t = loop.create_task(body());
  loop.call_later(1s, [t]() mutable { t.cancel("boom"); });
  try {
    loop.run_until_complete(Future<void>(t));
  } catch (const CancelledError& e) {
    EXPECT_EQ(e.message(), "boom");
  }
  try {
    t.result();
  } catch (const CancelledError& e) {
    EXPECT_EQ(e.message(), "");
  }
}

TEST(TaskTest, CancelArrivingDuringTheFinalStepCancelsTheTask) {
  Loop loop;
  auto self_cancel = []() -> Coro<int> {
    current_task().cancel("last minute");
    co_return 5;  // never awaits again: the request lands as the coroutine stops
  };
  Task<int> t = loop.create_task(self_cancel());
  EXPECT_THROW(loop.run_until_complete(Future<int>(t)), CancelledError);
  EXPECT_TRUE(t.cancelled());
}

TEST(TaskTest, CancelRequestedBeforeSuspendingOnAFutureCancelsThatFuture) {
  Loop loop;
  Future<int> f(loop);
  auto body = [](Future<int> f) -> Coro<void> {
    current_task().cancel("self");
    co_await f;  // asyncio: the pending cancel is forwarded to f at once
  };
  Task<void> t = loop.create_task(body(f));
  EXPECT_THROW(loop.run_until_complete(Future<void>(t)), CancelledError);
  EXPECT_TRUE(f.cancelled());
}

TEST(TaskTest, CurrentTaskAndAllTasksInCreationOrder) {
  Loop loop;
  std::vector<std::string> seen;
  auto body = [](std::vector<std::string>& seen) -> Coro<void> {
    seen.push_back(current_task().get_name());
    co_await sleep(1s);
  };
  auto top = [&]() -> Coro<void> {
    Task<void> a = create_task(body(seen), "a");
    Task<void> b = create_task(body(seen), "b");
    std::vector<std::string> names;
    for (const AnyTask& t : all_tasks()) names.push_back(t.get_name());
    EXPECT_THAT(names, ElementsAre("top", "a", "b"));
    co_await a;
    co_await b;
    EXPECT_EQ(all_tasks().size(), 1u);
  };
  Task<void> t = loop.create_task(top(), "top");
  loop.run_until_complete(Future<void>(t));
  EXPECT_THAT(seen, ElementsAre("a", "b"));
  EXPECT_FALSE(current_task());
  EXPECT_TRUE(loop.all_tasks().empty());
}

TEST(TaskTest, TaskExceptionNeverRetrievedIsReported) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  auto fail = []() -> Coro<void> {
    throw std::runtime_error("unseen");
    co_return;
  };
  loop.create_task(fail(), "failing");  // handle dropped at once
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_THAT(
      errors,
      ElementsAre("Task exception was never retrieved [failing]: std::runtime_error: unseen"));
}

TEST(TaskTest, TaskKeepsRunningWhenItsHandleIsDropped) {
  Loop loop;
  bool finished = false;
  auto body = [](bool& finished) -> Coro<void> {
    co_await sleep(1s);
    finished = true;
  };
  loop.create_task(body(finished));
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_TRUE(finished);
}

TEST(TaskTest, TaskCannotAwaitItself) {
  Loop loop;
  auto body = []() -> Coro<std::string> {
    co_await sleep(0s);
    co_return "";
  };
  (void)body;
  std::shared_ptr<Task<void>> self = std::make_shared<Task<void>>();
  auto selfish = [](std::shared_ptr<Task<void>> self) -> Coro<void> {
    co_await sleep(0s);
    co_await *self;
  };
  *self = loop.create_task(selfish(self));
  EXPECT_THROW(loop.run_until_complete(Future<void>(*self)), std::logic_error);
  *self = Task<void>();
}

TEST(TaskTest, ExceptionsPropagateToTheAwaiter) {
  Loop loop;
  auto fail = []() -> Coro<int> {
    co_await sleep(1s);
    throw std::domain_error("bad domain");
  };
  auto top = [&]() -> Coro<std::string> {
    Task<int> t = create_task(fail());
    try {
      co_await t;
    } catch (const std::domain_error& e) {
      co_return e.what();
    }
    co_return "";
  };
  EXPECT_EQ(loop.run_until_complete(top()), "bad domain");
}

}  // namespace
}  // namespace lockstep
