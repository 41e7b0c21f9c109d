// Coro<T>: lazy, inline await with symmetric transfer, exception propagation, one-shot.
#include "loop/coro.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using ::testing::ElementsAre;
using testing::EventLog;

Coro<int> answer(EventLog& log) {
  log("answer runs");
  co_return 42;
}

TEST(CoroTest, IsLazy) {
  EventLog log;
  {
    Coro<int> c = answer(log);
    EXPECT_TRUE(log.lines.empty());
  }
  EXPECT_TRUE(log.lines.empty());  // destroyed without ever running
}

TEST(CoroTest, AwaitRunsInlineWithoutATripThroughTheLoop) {
  Loop loop;
  EventLog log;
  auto outer = [](EventLog& log) -> Coro<int> {
    log("outer before");
    int v = co_await answer(log);
    log("outer after");
    co_return v;
  };
  loop.call_soon([&] { log("other callback"); });
  // The task's first step runs after "other callback"; the inline await adds no step.
  EXPECT_EQ(loop.run_until_complete(outer(log)), 42);
  EXPECT_THAT(log.lines,
              ElementsAre("other callback", "outer before", "answer runs", "outer after"));
  EXPECT_EQ(loop.steps(), 3u);  // callback, the task's one step, run_until_complete's stop
}

TEST(CoroTest, ExceptionsPropagateThroughInlineAwaits) {
  Loop loop;
  auto fail = []() -> Coro<int> {
    throw std::invalid_argument("deep");
    co_return 0;
  };
  auto middle = [&]() -> Coro<int> { co_return co_await fail() + 1; };
  auto top = [&]() -> Coro<std::string> {
    try {
      co_await middle();
    } catch (const std::invalid_argument& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "nothing";
  };
  EXPECT_EQ(loop.run_until_complete(top()), "caught deep");
}

TEST(CoroTest, AwaitingASpentCoroutineIsAClearError) {
  Loop loop;
  auto twice = []() -> Coro<std::string> {
    Coro<int> c = []() -> Coro<int> { co_return 1; }();
    co_await c;
    try {
      co_await c;
    } catch (const RuntimeError& e) {  // asyncio: RuntimeError
      co_return e.what();
    }
    co_return "no error";
  };
  EXPECT_EQ(loop.run_until_complete(twice()),
            "lockstep: cannot reuse already awaited coroutine (in Task 'Task-1'): a Coro runs "
            "once, awaited or given to create_task, not both");
}

TEST(CoroTest, GivingAnAwaitedCoroutineToCreateTaskNamesTheTask) {
  Loop loop;
  auto body = []() -> Coro<std::string> {
    Coro<int> c = []() -> Coro<int> { co_return 1; }();
    co_await c;
    try {
      Task<int> t = create_task(std::move(c));
    } catch (const RuntimeError& e) {
      co_return e.what();
    }
    co_return "no error";
  };
  Task<std::string> main = loop.create_task(body(), "main");
  EXPECT_THAT(loop.run_until_complete(main),
              ::testing::StartsWith("lockstep: cannot reuse already awaited coroutine (in Task "
                                    "'main')"));
}

TEST(CoroTest, AwaitingAMovedFromCoroIsAClearError) {
  Loop loop;
  auto moved = []() -> Coro<std::string> {
    Coro<int> c = []() -> Coro<int> { co_return 1; }();
    Coro<int> d = std::move(c);
    try {
      co_await c;
    } catch (const RuntimeError& e) {
      co_return e.what();
    }
    co_return "no error";
  };
  EXPECT_THAT(loop.run_until_complete(moved()),
              ::testing::StartsWith("lockstep: awaiting an empty Coro (moved-from or "
                                    "default-constructed), in Task 'Task-1'"));
}

// cppcoro's regression test: a million synchronous completions in a row must not grow
// the stack (symmetric transfer). Run under --config=asan too.
Coro<int> one() { co_return 1; }

TEST(CoroTest, MillionSynchronousCompletionsDoNotOverflowTheStack) {
  Loop loop;
  auto many = []() -> Coro<long> {
    long sum = 0;
    for (int i = 0; i < 1'000'000; ++i) sum += co_await one();
    co_return sum;
  };
  EXPECT_EQ(loop.run_until_complete(many()), 1'000'000);
}

Coro<int> chain(int depth) {
  if (depth == 0) co_return 0;
  co_return co_await chain(depth - 1) + 1;
}

TEST(CoroTest, DeepChainOfNestedAwaits) {
  Loop loop;
  // Python's default recursion limit is 1000; nesting uses native stack per level.
  EXPECT_EQ(loop.run_until_complete(chain(1'000)), 1'000);
}

Coro<int> chain_that_suspends(int depth) {
  if (depth == 0) {
    co_await sleep(std::chrono::seconds(1));
    co_return 0;
  }
  co_return co_await chain_that_suspends(depth - 1) + 1;
}

TEST(CoroTest, NestedChainThatSuspendsAtTheBottomUnwindsBySymmetricTransfer) {
  Loop loop;
  EXPECT_EQ(loop.run_until_complete(chain_that_suspends(1'000)), 1'000);
  EXPECT_EQ(loop.time(), TimePoint{} + std::chrono::seconds(1));
}

TEST(CoroTest, MillionAwaitsOfChildrenThatSuspend) {
  Loop loop;
  auto yielding = []() -> Coro<int> {
    co_await sleep(std::chrono::seconds(0));
    co_return 1;
  };
  auto many = [&]() -> Coro<long> {
    long sum = 0;
    for (int i = 0; i < 100'000; ++i) sum += co_await yielding();
    co_return sum;
  };
  EXPECT_EQ(loop.run_until_complete(many()), 100'000);
}

TEST(CoroTest, VoidCoro) {
  Loop loop;
  int n = 0;
  auto bump = [](int& n) -> Coro<void> {
    ++n;
    co_return;
  };
  auto top = [&]() -> Coro<void> {
    co_await bump(n);
    co_await bump(n);
  };
  loop.run_until_complete(top());
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace lockstep
