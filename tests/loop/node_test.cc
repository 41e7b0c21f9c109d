// Nodes (loop/node.h): what belongs to a node, what a power loss ends and what it leaves
// alone, and each node's clock.
#include "loop/node.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::EventLog;
using ::testing::IsEmpty;

Coro<void> sleeper(EventLog& log, std::string name, Duration d) {
  log(name + " sleeps at " + std::to_string(to_seconds(now())));
  co_await sleep(d);
  log(name + " woke at " + std::to_string(to_seconds(now())));
}

TEST(NodeTest, TasksAndCallbacksRunOnTheNodeTheyWereCreatedOn) {
  Loop loop;
  EventLog log;
  const NodeId n1 = loop.add_node("n1");
  const NodeId n2 = loop.add_node("n2");
  EXPECT_EQ(n1, 1u);
  EXPECT_EQ(n2, 2u);
  EXPECT_EQ(loop.node_name(n2), "n2");
  EXPECT_EQ(loop.node_count(), 2u);
  auto child = [&]() -> Coro<void> {
    log("child on " + std::to_string(loop.current_node()));
    co_return;
  };
  auto parent = [&]() -> Coro<void> {
    log("parent on " + std::to_string(loop.current_node()));
    co_await create_task(child());
    loop.call_soon([&] { log("call_soon on " + std::to_string(loop.current_node())); });
    loop.call_later(1s, [&] { log("timer on " + std::to_string(loop.current_node())); });
    co_await sleep(2s);
  };
  Task<void> t;
  {
    Loop::NodeScope on(loop, n2);
    t = loop.create_task(parent());
  }
  EXPECT_EQ(loop.current_node(), kNoNode);
  loop.run_until_complete(t);
  EXPECT_EQ(loop.current_node(), kNoNode);
  EXPECT_THAT(log.lines, ElementsAre("parent on 2", "child on 2", "call_soon on 2", "timer on 2"));
}

// What a frame's destructors try as their node goes down.
struct Witness {
  Loop& loop;
  EventLog& log;
  ~Witness() {
    log("destroyed as node " + std::to_string(loop.current_node()) +
        ", alive=" + std::to_string(loop.node_alive(loop.current_node())));
    loop.call_soon([l = &log] { (*l)("a destructor's callback ran"); });
    loop.call_later(1s, [l = &log] { (*l)("a destructor's timer fired"); });
    loop.create_task(sleeper(log, "a destructor's task", 1s));
  }
};

Coro<void> doomed(Loop& loop, EventLog& log) {
  Witness w{loop, log};
  try {
    co_await sleep(10s);
    log("resumed after the crash");
  } catch (...) {
    log("catch ran");  // a power loss delivers nothing
    throw;
  }
}

TEST(NodeTest, KillNodeEndsItsTasksWithoutRunningAnyOfTheirCode) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  EventLog log;
  const NodeId n1 = loop.add_node("n1");
  const NodeId n2 = loop.add_node("n2");
  Task<void> a, b, other;
  {
    Loop::NodeScope on(loop, n1);
    a = loop.create_task(doomed(loop, log), "a");
    b = loop.create_task(sleeper(log, "b", 5s), "b");
    loop.call_later(3s, [&] { log("n1's timer fired"); });
  }
  {
    Loop::NodeScope on(loop, n2);
    other = loop.create_task(sleeper(log, "n2's task", 5s), "n2-task");
  }
  auto world = [&]() -> Coro<void> {
    co_await sleep(1s);
    loop.kill_node(n1);
    log("killed n1; alive=" + std::to_string(loop.node_alive(n1)));
    co_await sleep(20s);
  };
  loop.run_until_complete(world());
  loop.close();
  EXPECT_THAT(log.lines, ElementsAre("b sleeps at 0.000000", "n2's task sleeps at 0.000000",
                                     "destroyed as node 1, alive=0", "killed n1; alive=0",
                                     "n2's task woke at 5.000000"));
  EXPECT_FALSE(a.done());  // killed, not cancelled: nothing ran to tell anyone
  EXPECT_TRUE(other.done());
  EXPECT_THAT(errors, IsEmpty());  // no "Task was destroyed but it is pending!"
}

TEST(NodeTest, ANodeThatKillsItselfRunsToItsNextSuspensionAndNeverResumes) {
  Loop loop;
  EventLog log;
  const NodeId n1 = loop.add_node("n1");
  auto suicidal = [&]() -> Coro<void> {
    loop.kill_node(loop.current_node());
    log("still running until it suspends");
    loop.call_soon([&] { log("its callback ran"); });
    co_await sleep(1s);
    log("resumed");
  };
  Task<void> t;
  {
    Loop::NodeScope on(loop, n1);
    t = loop.create_task(suicidal());
  }
  auto world = [&]() -> Coro<void> { co_await sleep(5s); };
  loop.run_until_complete(world());
  EXPECT_THAT(log.lines, ElementsAre("still running until it suspends"));
  EXPECT_FALSE(t.done());
  EXPECT_TRUE(loop.all_tasks().empty());
}

// A node's main owns what its helpers use (kv's replica owns the Node its election timer
// locks): the helpers' frames must go before the owner's, or their destructors touch
// freed memory (ASan caught it in examples/kv).
struct Owned {
  explicit Owned(EventLog& l) : log(l) {}
  EventLog& log;
  Lock mu;
  ~Owned() { log("the owner's object destroyed"); }
};
struct Borrowing {
  EventLog& log;
  std::string who;
  ~Borrowing() { log(who + " let go"); }
};

Coro<void> borrower(Owned& owned, std::string who) {
  Borrowing b{owned.log, who};
  co_await owned.mu.acquire();
  LockGuard<Lock> held(owned.mu);  // released by the destructor, into the owner's object
  co_await sleep(100s);
}

Coro<void> owner(EventLog& log) {
  Owned owned(log);
  Task<void> first = create_task(borrower(owned, "the first helper"));
  Task<void> second = create_task(borrower(owned, "the second helper"));
  co_await sleep(100s);
}

TEST(NodeTest, APowerLossDestroysNewerTasksBeforeTheTasksThatCreatedThem) {
  Loop loop;
  EventLog log;
  const NodeId n1 = loop.add_node("n1");
  {
    Loop::NodeScope on(loop, n1);
    loop.create_task(owner(log), "owner");
  }
  auto world = [&]() -> Coro<void> {
    co_await sleep(1s);
    loop.kill_node(n1);
  };
  loop.run_until_complete(world());
  EXPECT_THAT(log.lines, ElementsAre("the second helper let go", "the first helper let go",
                                     "the owner's object destroyed"));
}

TEST(NodeTest, CloseReportsPendingTasksInCreationOrderAndDestroysNewestFirst) {
  std::vector<std::string> errors;
  Loop loop(testing::capture_errors(errors));
  EventLog log;
  auto world = [&]() -> Coro<void> {
    create_task(owner(log), "owner");
    co_await sleep(1s);
  };
  loop.run_until_complete(world());
  loop.close();
  EXPECT_THAT(log.lines, ElementsAre("the second helper let go", "the first helper let go",
                                     "the owner's object destroyed"));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], ::testing::HasSubstr("owner"));
}

TEST(NodeTest, AKilledNodeStaysDeadAndARestartIsANewNode) {
  Loop loop;
  EventLog log;
  const NodeId first = loop.add_node("n1");
  loop.kill_node(first);
  loop.kill_node(first);  // idempotent
  const NodeId second = loop.add_node("n1");
  EXPECT_NE(first, second);
  EXPECT_FALSE(loop.node_alive(first));
  EXPECT_TRUE(loop.node_alive(second));
  {
    Loop::NodeScope on(loop, first);
    loop.call_soon([&] { log("dead node's callback"); });
  }
  {
    Loop::NodeScope on(loop, second);
    loop.call_soon([&] { log("restarted node's callback"); });
  }
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_THAT(log.lines, ElementsAre("restarted node's callback"));
}

TEST(NodeTest, EachNodeReadsItsOwnClockAndItsTimersWaitForIt) {
  Loop loop;
  EventLog log;
  const NodeId ahead = loop.add_node("ahead", {.offset = 100s});
  const NodeId fast = loop.add_node("fast", {.drift_ppm = 250'000});   // 25% fast
  const NodeId slow = loop.add_node("slow", {.drift_ppm = -500'000});  // half speed
  auto on = [&](NodeId n, std::string name) {
    Loop::NodeScope scope(loop, n);
    return loop.create_task(sleeper(log, name, 1s));
  };
  Task<void> a = on(ahead, "ahead"), f = on(fast, "fast"), s = on(slow, "slow");
  std::vector<double> global_wake;
  auto world = [&]() -> Coro<void> {
    co_await a;
    global_wake.push_back(to_seconds(loop.global_time()));
    co_await f;
    co_await s;
    global_wake.push_back(to_seconds(loop.global_time()));
  };
  loop.run_until_complete(world());
  // Each woke when its own clock had moved 1s; the fast one first, the slow one last.
  EXPECT_THAT(log.lines, ElementsAre("ahead sleeps at 100.000000", "fast sleeps at 0.000000",
                                     "slow sleeps at 0.000000", "fast woke at 1.000000",
                                     "ahead woke at 101.000000", "slow woke at 1.000000"));
  EXPECT_THAT(global_wake, ElementsAre(1.0, 2.0));
  EXPECT_EQ(loop.node_clock(fast).to_global(TimePoint(1s)), TimePoint(800ms));
}

TEST(NodeTest, ClockConversionsNeverFireATimerEarly) {
  for (std::int64_t ppm : {-999'999, -123'457, -1, 0, 1, 77, 999'983, 5'000'000}) {
    const NodeClock c{.offset = -3s + 7ns, .drift_ppm = ppm};
    for (std::int64_t ns : {0LL, 1LL, 999LL, 1'000'001LL, 123'456'789'012LL}) {
      const TimePoint local{Duration(ns)};
      const TimePoint g = c.to_global(local);
      EXPECT_GE(c.to_local(g), local) << ppm << " " << ns;
      EXPECT_LT(c.to_local(g - 1ns), local) << ppm << " " << ns;  // and not late either
    }
  }
}

TEST(NodeTest, WallClockIsVirtualAndAnNtpStepMovesOnlyIt) {
  Loop loop;
  const NodeId n = loop.add_node("n");
  std::vector<std::chrono::system_clock::time_point> walls;
  std::vector<TimePoint> monos;
  auto body = [&]() -> Coro<void> {
    walls.push_back(loop.wall_clock());
    monos.push_back(now());
    loop.set_node_clock(n, {.wall_offset = -30s});  // NTP steps the clock back
    walls.push_back(loop.wall_clock());
    monos.push_back(now());
    co_await sleep(1s);
    walls.push_back(loop.wall_clock());
    monos.push_back(now());
  };
  Task<void> t;
  {
    Loop::NodeScope on(loop, n);
    t = loop.create_task(body());
  }
  loop.run_until_complete(t);
  EXPECT_EQ(walls[0], kVirtualWallEpoch);
  EXPECT_EQ(walls[1], kVirtualWallEpoch - 30s);
  EXPECT_EQ(walls[2], kVirtualWallEpoch - 29s);
  EXPECT_THAT(monos, ElementsAre(TimePoint{}, TimePoint{}, TimePoint(1s)));
}

TEST(NodeTest, BadClocksAreRejectedByName) {
  Loop loop;
  EXPECT_THROW(loop.add_node("n", {.drift_ppm = -1'000'000}), std::invalid_argument);
  EXPECT_THROW(loop.node_name(7), std::out_of_range);
  EXPECT_THROW(loop.set_node_clock(0, {}), std::out_of_range);
}

struct Recorder : LoopObserver {
  std::vector<std::string> lines;
  void on_event(const LoopEvent& e) noexcept override {
    if (e.kind == LoopEvent::Kind::kTaskCreated)
      lines.push_back("task " + std::string(e.text) + " on node " + std::to_string(e.node));
    if (e.kind == LoopEvent::Kind::kNodeAdded || e.kind == LoopEvent::Kind::kNodeKilled)
      lines.push_back(std::string(to_string(e.kind)) + " " + std::to_string(e.other) + " " +
                      std::string(e.text));
  }
};

TEST(NodeTest, ObserversSeeNodesAndWhereTasksRun) {
  Recorder r;
  Loop loop({.observer = &r});
  EventLog log;
  const NodeId n = loop.add_node("db");
  {
    Loop::NodeScope on(loop, n);
    loop.create_task(sleeper(log, "x", 1s), "x");
  }
  loop.kill_node(n);
  loop.close();
  EXPECT_THAT(r.lines, ElementsAre("node_added 1 db", "task x on node 1", "node_killed 1 db"));
}

}  // namespace
}  // namespace lockstep
