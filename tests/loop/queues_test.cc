// Queue, PriorityQueue, LifoQueue: every method, order, blocking and wakeups, the
// errors, and cancellation (a cancelled get() loses no item, a cancelled put() inserts
// nothing). Most cases follow CPython's Lib/test/test_asyncio/test_queues.py.
#include "loop/queues.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

template <class F>
void run_main(F body) {
  Loop loop;
  loop.run_until_complete(body());
}

template <class Q>
std::vector<typename Q::value_type> drain(Q& q) {
  std::vector<typename Q::value_type> out;
  while (!q.empty()) out.push_back(q.get_nowait());
  return out;
}

// ---------------------------------------------------------------------------------------
// Size, bounds, the non-waiting methods

TEST(QueueTest, EmptyFullQsizeAndMaxsize) {
  Queue<int> q(2);
  EXPECT_EQ(q.maxsize(), 2u);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.full());
  q.put_nowait(1);
  EXPECT_FALSE(q.empty());
  EXPECT_FALSE(q.full());
  q.put_nowait(2);
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.qsize(), 2u);
}

TEST(QueueTest, MaxsizeZeroIsUnbounded) {
  Queue<int> q;
  EXPECT_EQ(q.maxsize(), 0u);
  for (int i = 0; i < 10000; ++i) q.put_nowait(i);
  EXPECT_FALSE(q.full());
  EXPECT_EQ(q.qsize(), 10000u);
}

TEST(QueueTest, GetNowaitOnEmptyThrowsQueueEmpty) {
  Queue<int> q;
  EXPECT_THROW(q.get_nowait(), QueueEmpty);
  q.put_nowait(1);
  EXPECT_EQ(q.get_nowait(), 1);
  EXPECT_THROW(q.get_nowait(), QueueEmpty);
}

TEST(QueueTest, PutNowaitOnFullThrowsQueueFullAndLeavesTheItem) {
  Queue<std::unique_ptr<int>> q(1);
  q.put_nowait(std::make_unique<int>(1));
  auto item = std::make_unique<int>(2);
  EXPECT_THROW(q.put_nowait(std::move(item)), QueueFull);
  ASSERT_NE(item, nullptr);  // not moved from
  EXPECT_EQ(*item, 2);
  EXPECT_EQ(q.qsize(), 1u);
}

TEST(QueueTest, ErrorsAreStdExceptionsWithEmptyMessages) {
  Queue<int> q(1);
  try {
    q.get_nowait();
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "");
  }
}

TEST(QueueTest, FifoOrder) {
  Queue<int> q;
  for (int i : {1, 3, 2}) q.put_nowait(i);
  EXPECT_THAT(drain(q), ElementsAre(1, 3, 2));
}

TEST(LifoQueueTest, NewestFirst) {
  LifoQueue<int> q;
  for (int i : {1, 3, 2}) q.put_nowait(i);
  EXPECT_THAT(drain(q), ElementsAre(2, 3, 1));
}

TEST(PriorityQueueTest, SmallestFirst) {
  PriorityQueue<int> q;
  for (int i : {1, 3, 2, 7, 0, 5}) q.put_nowait(i);
  EXPECT_THAT(drain(q), ElementsAre(0, 1, 2, 3, 5, 7));
}

TEST(PriorityQueueTest, EqualPrioritiesComeOutInInsertionOrder) {
  struct Job {
    int priority;
    std::string name;
  };
  struct ByPriority {
    bool operator()(const Job& a, const Job& b) const { return a.priority < b.priority; }
  };
  PriorityQueue<Job, ByPriority> q;
  for (auto [p, n] : std::vector<std::pair<int, std::string>>{
           {2, "a"}, {1, "b"}, {2, "c"}, {1, "d"}, {2, "e"}, {1, "f"}, {0, "g"}, {2, "h"}})
    q.put_nowait(Job{p, n});
  std::string order;
  while (!q.empty()) order += q.get_nowait().name;
  EXPECT_EQ(order, "gbdfaceh");
}

TEST(PriorityQueueTest, CustomComparatorReversesTheOrder) {
  PriorityQueue<int, std::greater<int>> q;
  for (int i : {1, 3, 2}) q.put_nowait(i);
  EXPECT_THAT(drain(q), ElementsAre(3, 2, 1));
}

TEST(PriorityQueueTest, MoveOnlyItems) {
  struct Less {
    bool operator()(const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) const {
      return *a < *b;
    }
  };
  PriorityQueue<std::unique_ptr<int>, Less> q;
  for (int i : {3, 1, 2}) q.put_nowait(std::make_unique<int>(i));
  EXPECT_EQ(*q.get_nowait(), 1);
  EXPECT_EQ(*q.get_nowait(), 2);
  EXPECT_EQ(*q.get_nowait(), 3);
}

// ---------------------------------------------------------------------------------------
// get() and put()

TEST(QueueTest, GetAndPutThatNeedNotWaitDoNotYield) {
  std::vector<std::string> log;
  run_main([&]() -> Coro<void> {
    Queue<int> q(1);
    Loop::current()->call_soon([&] { log.push_back("callback"); });
    co_await q.put(1);
    const int v = co_await q.get();
    log.push_back("got " + std::to_string(v));
    co_await sleep(0s);
  });
  EXPECT_THAT(log, ElementsAre("got 1", "callback"));
}

TEST(QueueTest, BlockingGetWakesOnPut) {
  Queue<int> q;
  auto getter = [&]() -> Coro<int> { co_return co_await q.get(); };
  run_main([&]() -> Coro<void> {
    Task<int> t = create_task(getter());
    co_await sleep(0s);
    EXPECT_FALSE(t.done());
    Loop::current()->call_later(10ms, [&] { q.put_nowait(7); });
    const int v = co_await t;
    EXPECT_EQ(v, 7);
    EXPECT_EQ(Loop::current()->time(), TimePoint{} + 10ms);
  });
}

TEST(QueueTest, BlockingPutWakesOnGet) {
  Queue<int> q(1);
  auto putter = [&]() -> Coro<void> {
    co_await q.put(1);
    co_await q.put(2);  // waits
  };
  run_main([&]() -> Coro<void> {
    Task<void> t = create_task(putter());
    co_await sleep(0s);
    EXPECT_FALSE(t.done());
    EXPECT_TRUE(q.full());
    EXPECT_EQ(q.get_nowait(), 1);
    co_await t;
    EXPECT_EQ(q.get_nowait(), 2);
  });
}

TEST(QueueTest, GetWithWaitingPuttersReturnsTheirItemsInOrder) {
  Queue<std::string> q(1);
  run_main([&]() -> Coro<void> {
    Task<void> a = create_task(q.put("a"));
    Task<void> b = create_task(q.put("b"));
    const std::string first = co_await q.get();
    const std::string second = co_await q.get();
    EXPECT_EQ(first, "a");
    EXPECT_EQ(second, "b");
    co_await a;
    co_await b;
  });
}

// test_why_are_getters_waiting / _putters_waiting: a producer and a consumer through a
// queue of one never stall.
TEST(QueueTest, ProducerAndConsumerThroughAQueueOfOneNeverStall) {
  Queue<int> q(1);
  std::vector<int> got;
  auto producer = [&]() -> Coro<void> {
    for (int i = 0; i < 5; ++i) co_await q.put(i);
  };
  auto consumer = [&]() -> Coro<void> {
    for (int i = 0; i < 5; ++i) got.push_back(co_await q.get());
  };
  run_main([&]() -> Coro<void> {
    Task<void> p = create_task(producer()), c = create_task(consumer());
    co_await p;
    co_await c;
  });
  EXPECT_THAT(got, ElementsAre(0, 1, 2, 3, 4));
}

TEST(QueueTest, ItemPutBeforeAWokenGetterRunsCanBeTakenByAnotherTask) {
  Queue<int> q;
  std::vector<std::string> log;
  auto getter = [&]() -> Coro<void> {
    const int v = co_await q.get();
    log.push_back("getter got " + std::to_string(v));
  };
  run_main([&]() -> Coro<void> {
    Task<void> g = create_task(getter());
    co_await sleep(0s);
    q.put_nowait(1);  // wakes g
    log.push_back("main got " + std::to_string(q.get_nowait()));
    co_await sleep(0s);  // g runs, finds nothing, waits again
    EXPECT_FALSE(g.done());
    q.put_nowait(2);
    co_await g;
  });
  EXPECT_THAT(log, ElementsAre("main got 1", "getter got 2"));
}

TEST(QueueTest, DeadlockReportNamesQueueGet) {
  Queue<int> q;  // outlives the loop, which destroys the blocked task
  Loop loop;
  auto top = [&]() -> Coro<void> { co_await q.get(); };
  try {
    loop.run_until_complete(top());
    FAIL() << "expected a deadlock";
  } catch (const DeadlockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("awaits Queue.get()"));
  }
}

// ---------------------------------------------------------------------------------------
// Cancellation

// test_get_cancelled_race.
TEST(QueueTest, CancelledGetterIsSkipped) {
  Queue<std::string> q;
  run_main([&]() -> Coro<void> {
    Task<std::string> t1 = create_task(q.get());
    Task<std::string> t2 = create_task(q.get());
    co_await sleep(0s);
    t1.cancel();
    co_await sleep(0s);
    EXPECT_TRUE(t1.done());
    co_await q.put("a");
    co_await sleep(0s);
    const std::string v = co_await t2;
    EXPECT_EQ(v, "a");
  });
}

// put_nowait() skips a getter whose future a cancel() completed in this very step: its
// task has not run yet, so its future is still listed.
TEST(QueueTest, GetterCancelledInTheSameStepAsAPutIsSkipped) {
  Queue<int> q;
  run_main([&]() -> Coro<void> {
    Task<int> g1 = create_task(q.get());
    Task<int> g2 = create_task(q.get());
    co_await sleep(0s);
    g1.cancel();
    q.put_nowait(7);  // must wake g2, not the cancelled g1
    co_await sleep(0s);
    EXPECT_TRUE(g1.cancelled());
    EXPECT_TRUE(g2.done());
    const int v = co_await g2;
    EXPECT_EQ(v, 7);
  });
}

TEST(QueuePutTest, PutterCancelledInTheSameStepAsAGetIsSkipped) {
  Queue<int> q(1);
  run_main([&]() -> Coro<void> {
    q.put_nowait(0);
    Task<void> p1 = create_task(q.put(1));
    Task<void> p2 = create_task(q.put(2));
    co_await sleep(0s);
    p1.cancel();
    EXPECT_EQ(q.get_nowait(), 0);  // must wake p2, not the cancelled p1
    co_await sleep(0s);
    EXPECT_TRUE(p1.cancelled());
    EXPECT_TRUE(p2.done());
    EXPECT_THAT(drain(q), ElementsAre(2));
  });
}

// test_get_cancel_drop_one_pending_reader: if the retry got 2, item 1 was dropped.
TEST(QueueTest, GetterCancelledAfterItsItemArrivedDropsNothing) {
  Queue<int> q;
  run_main([&]() -> Coro<void> {
    Task<int> reader = create_task(q.get());
    co_await sleep(0s);
    q.put_nowait(1);
    q.put_nowait(2);
    reader.cancel();
    Outcome<int> r = co_await as_outcome(reader);
    EXPECT_TRUE(r.cancelled());
    reader = create_task(q.get());
    const int v = co_await reader;
    EXPECT_EQ(v, 1);
    EXPECT_EQ(q.qsize(), 1u);
  });
}

// test_get_cancel_drop_many_pending_readers: the wakeup passes to the next reader.
TEST(QueueTest, WokenGetterCancelledPassesTheWakeupToTheNextGetter) {
  Queue<int> q;
  run_main([&]() -> Coro<void> {
    Task<int> r1 = create_task(q.get());
    Task<int> r2 = create_task(q.get());
    Task<int> r3 = create_task(q.get());
    co_await sleep(0s);
    q.put_nowait(1);
    q.put_nowait(2);
    r1.cancel();
    Outcome<int> o1 = co_await as_outcome(r1);
    EXPECT_TRUE(o1.cancelled());
    const int v2 = co_await r2;
    const int v3 = co_await r3;
    EXPECT_THAT((std::vector<int>{v2, v3}), UnorderedElementsAre(1, 2));
  });
}

// test_put_cancel_drop.
TEST(QueuePutTest, PutterCancelledAfterRoomAppearedInsertsNothing) {
  Queue<int> q(1);
  run_main([&]() -> Coro<void> {
    q.put_nowait(1);
    Task<void> writer = create_task(q.put(2));
    co_await sleep(0s);
    EXPECT_EQ(q.get_nowait(), 1);
    writer.cancel();
    Outcome<void> r = co_await as_outcome(writer);
    EXPECT_TRUE(r.cancelled());
    EXPECT_EQ(q.qsize(), 0u);
    writer = create_task(q.put(2));
    co_await writer;
    EXPECT_EQ(q.get_nowait(), 2);
    EXPECT_EQ(q.qsize(), 0u);
  });
}

// test_put_cancelled_race.
TEST(QueuePutTest, CancelledPutterIsSkipped) {
  Queue<std::string> q(1);
  run_main([&]() -> Coro<void> {
    Task<void> put_a = create_task(q.put("a"));
    Task<void> put_b = create_task(q.put("b"));
    Task<void> put_c = create_task(q.put("X"));
    co_await sleep(0s);
    EXPECT_TRUE(put_a.done());
    EXPECT_FALSE(put_b.done());
    put_c.cancel();
    co_await sleep(0s);
    EXPECT_TRUE(put_c.done());
    EXPECT_EQ(q.get_nowait(), "a");
    co_await sleep(0s);
    EXPECT_EQ(q.get_nowait(), "b");
    co_await put_b;
  });
}

TEST(QueuePutTest, WokenPutterCancelledPassesTheFreeSlotOn) {
  Queue<int> q(1);
  run_main([&]() -> Coro<void> {
    q.put_nowait(0);
    Task<void> p1 = create_task(q.put(1));
    Task<void> p2 = create_task(q.put(2));
    co_await sleep(0s);
    EXPECT_EQ(q.get_nowait(), 0);  // wakes p1
    p1.cancel();
    Outcome<void> r = co_await as_outcome(p1);
    EXPECT_TRUE(r.cancelled());
    co_await p2;
    EXPECT_THAT(drain(q), ElementsAre(2));
  });
}

// ---------------------------------------------------------------------------------------
// task_done() and join()

TEST(QueueTest, TaskDoneTooOftenThrowsOverReleaseError) {
  Queue<int> q;
  EXPECT_THROW(q.task_done(), OverReleaseError);
  q.put_nowait(1);
  q.get_nowait();
  q.task_done();
  try {
    q.task_done();
    ADD_FAILURE() << "expected OverReleaseError";
  } catch (const OverReleaseError& e) {
    EXPECT_STREQ(e.what(), "task_done() called too many times");
  }
}

TEST(QueueTest, JoinOnAQueueWithNothingUnfinishedDoesNotYield) {
  std::vector<std::string> log;
  run_main([&]() -> Coro<void> {
    Queue<int> q;
    Loop::current()->call_soon([&] { log.push_back("callback"); });
    co_await q.join();
    log.push_back("joined");
    co_await sleep(0s);
  });
  EXPECT_THAT(log, ElementsAre("joined", "callback"));
}

// test_task_done: join returns once every item has been marked done.
TEST(QueueTest, JoinWaitsForEveryTaskDone) {
  Queue<int> q;
  int accumulator = 0;
  auto worker = [&]() -> Coro<void> {
    for (;;) {
      const int item = co_await q.get();
      accumulator += item;
      q.task_done();
    }
  };
  run_main([&]() -> Coro<void> {
    for (int i = 0; i < 100; ++i) q.put_nowait(i);
    Task<void> w1 = create_task(worker()), w2 = create_task(worker());
    co_await q.join();
    EXPECT_EQ(accumulator, 4950);
    w1.cancel();
    w2.cancel();
    co_await as_outcome(w1);
    co_await as_outcome(w2);
  });
}

TEST(QueueTest, JoinersWakeInOrderAfterTheLastTaskDone) {
  Queue<int> q;
  std::vector<std::string> log;
  auto joiner = [&](std::string name) -> Coro<void> {
    co_await q.join();
    log.push_back(name);
  };
  run_main([&]() -> Coro<void> {
    q.put_nowait(1);
    q.put_nowait(2);
    Task<void> a = create_task(joiner("a")), b = create_task(joiner("b"));
    co_await sleep(0s);
    q.get_nowait();
    q.task_done();
    co_await sleep(0s);
    EXPECT_TRUE(log.empty());
    q.get_nowait();
    q.task_done();
    log.push_back("done");
    co_await a;
    co_await b;
  });
  EXPECT_THAT(log, ElementsAre("done", "a", "b"));
}

// ---------------------------------------------------------------------------------------
// Teardown

TEST(QueueTest, LoopCloseWithBlockedTasksLeavesTheQueueUsable) {
  Queue<int> q(1);
  std::vector<std::string> errors;
  {
    Loop loop(testing::capture_errors(errors));
    loop.run_until_complete([&]() -> Coro<void> {
      q.put_nowait(0);
      create_task(q.put(1), "putter");
      create_task([](Queue<int>& q) -> Coro<void> { co_await q.join(); }(q), "joiner");
      co_await sleep(0s);
    }());
  }  // close() destroys the blocked tasks; their waiters leave the queue
  EXPECT_EQ(errors.size(), 2u);
  Loop loop;
  loop.run_until_complete([&]() -> Coro<void> {
    EXPECT_EQ(q.get_nowait(), 0);
    co_await q.put(5);
    const int v = co_await q.get();
    EXPECT_EQ(v, 5);
  }());
}

// get()/put() are awaitables without a frame in their usual case, and become a Coro
// wherever asyncio would take the coroutine `q.get()`.
TEST(QueueTest, GetAndPutWorkWithEveryCombinator) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Queue<int> q;
    bool timed_out = false;
    try {
      co_await wait_for(q.get(), std::chrono::seconds(1));
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_EQ(q.qsize(), 0u);
    auto both = gather(q.get(), q.get());
    co_await task_group([&](TaskGroup& g) -> Coro<void> {
      g.create_task(q.put(1));
      g.create_task(q.put(2));
      co_return;
    });
    auto [a, b] = co_await both;
    EXPECT_EQ(a + b, 3);
    co_await q.put(3);
    Future<int> shielded = shield(q.get());
    EXPECT_EQ(co_await shielded, 3);
    Task<int> t = ensure_future(q.get());
    q.put_nowait(4);
    EXPECT_EQ(co_await t, 4);
  };
  loop.run_until_complete(body());
}

// The FIFO store is a ring that doubles when full: order must survive growing while the
// live items wrap around its end, for types without a default constructor too.
TEST(QueueTest, FifoOrderSurvivesGrowthAcrossTheRingsEnd) {
  struct Item {
    explicit Item(int v) : value(std::make_unique<int>(v)) {}
    std::unique_ptr<int> value;  // move-only, no default constructor
  };
  Queue<Item> q;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 7 + round * 9; ++i) q.put_nowait(Item(next_in++));
    for (int i = 0; i < 5 + round * 4; ++i) EXPECT_EQ(*q.get_nowait().value, next_out++);
  }
  while (!q.empty()) EXPECT_EQ(*q.get_nowait().value, next_out++);
  EXPECT_EQ(next_out, next_in);
  for (int i = 0; i < 40; ++i) q.put_nowait(Item(i));  // destroyed with the queue: ASan checks
}

}  // namespace
}  // namespace lockstep
