// The mutation check: deliberately broken versions of Lock, Queue and shield (here in
// tests/, never in the library), each with the mistake real implementations make around
// cancellation. Random cancellation fuzzing must find each within a stated number of
// runs; the real primitives pass the same programs (cancel_fuzz_test).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "faults/cancel_fuzz.h"
#include "loop/lockstep.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;

// A Lock whose release() wakes only the first waiter, even if that waiter was cancelled:
// the wakeup is lost and the next waiter waits forever. (asyncio.Lock skips cancelled
// waiters and, when a woken waiter is cancelled, wakes the next.)
class MutantLock {
 public:
  Coro<void> acquire() {
    if (!locked_) {
      locked_ = true;
      co_return;
    }
    Future<void> waiter = Loop::current()->create_future<void>();
    waiters_.push_back(waiter);
    co_await waiter;  // BUG: no cleanup when cancelled here
  }
  void release() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    Future<void> first = waiters_.front();
    waiters_.pop_front();
    if (!first.done()) first.set_result();  // BUG: a cancelled waiter swallows the handoff
  }
  bool locked() const { return locked_; }

 private:
  bool locked_ = false;
  std::deque<Future<void>> waiters_;
};

// A Queue that hands an item straight to the first waiting getter: if that getter was
// cancelled, the item is dropped. (asyncio.Queue keeps items in the queue and only wakes
// getters.)
class MutantQueue {
 public:
  void put(int item) {
    while (!getters_.empty()) {
      Future<int> g = getters_.front();
      getters_.pop_front();
      if (!g.done()) {
        g.set_result(item);
        return;
      }
      return;  // BUG: the item goes to a cancelled getter, i.e. nowhere
    }
    items_.push_back(item);
  }
  Coro<int> get() {
    if (!items_.empty()) {
      int item = items_.front();
      items_.pop_front();
      co_return item;
    }
    Future<int> g = Loop::current()->create_future<int>();
    getters_.push_back(g);
    co_return co_await g;
  }
  std::size_t qsize() const { return items_.size(); }
  int take() {
    int item = items_.front();
    items_.pop_front();
    return item;
  }

 private:
  std::deque<int> items_;
  std::deque<Future<int>> getters_;
};

// A queue that hands an item to the first live getter by completing the getter's future
// with it, skipping getters already cancelled: right for a cancel that lands while a
// getter waits. BUG: it assumes the woken getter takes the item. A cancel that lands
// after the future got the item and before the getter resumed raises CancelledError in
// the getter and the item is gone. (asyncio.Queue leaves the item in the queue and only
// wakes the getter, which takes it when it runs.) Only the wake point finds this.
class HandoffQueue {
 public:
  void put(int item) {
    while (!getters_.empty()) {
      Future<int> g = getters_.front();
      getters_.pop_front();
      if (!g.done()) {  // skips cancelled getters: cancels at a suspension are harmless
        g.set_result(item);
        return;
      }
    }
    items_.push_back(item);
  }
  Coro<int> get() {
    if (!items_.empty()) {
      int item = items_.front();
      items_.pop_front();
      co_return item;
    }
    Future<int> g = Loop::current()->create_future<int>();
    getters_.push_back(g);
    co_return co_await g;  // BUG: cancelled after g has the item: the item is lost
  }
  std::size_t qsize() const { return items_.size(); }
  int take() {
    int item = items_.front();
    items_.pop_front();
    return item;
  }

 private:
  std::deque<int> items_;
  std::deque<Future<int>> getters_;
};

// A "shield" that protects nothing: awaiting it awaits the inner task itself, so
// cancelling the waiter cancels the inner task too.
Coro<int> mutant_shield(Task<int> inner) { co_return co_await inner; }

Coro<std::string> lock_program() {
  MutantLock lock;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back(create_task(
        [](MutantLock* lock) -> Coro<void> {
          for (int k = 0; k < 2; ++k) {
            co_await lock->acquire();
            try {
              co_await sleep(1ms);
            } catch (...) {
              lock->release();
              throw;
            }
            lock->release();
          }
        }(&lock),
        "locker-" + std::to_string(i)));
  co_await gather(return_exceptions, tasks);  // a lost wakeup: DeadlockError
  if (lock.locked()) throw std::runtime_error("the lock is held after every task ended");
  co_return "ok";
}

// Items put one by one to a consumer that a supervisor restarts when it is cancelled:
// every item must come out exactly once, through a consumer or left in the queue.
template <class Queue>
Coro<std::string> queue_program_of() {
  Queue queue;
  std::vector<int> got;
  auto consume = [](Queue* q, std::vector<int>* got) -> Coro<void> {
    for (;;) got->push_back(co_await q->get());
  };
  auto consumer = create_task(consume(&queue, &got), "consumer");
  for (int k = 0; k < 6; ++k) {
    queue.put(k);
    co_await sleep(1ms);
    if (consumer.done())  // a cancelled consumer: start another, as a supervisor would
      consumer = create_task(consume(&queue, &got), "consumer");
  }
  co_await sleep(5ms);
  consumer.cancel();
  co_await gather(return_exceptions, consumer);
  while (queue.qsize() > 0) got.push_back(queue.take());
  if (std::set<int>(got.begin(), got.end()).size() != 6)
    throw std::runtime_error("an item was lost: got " + std::to_string(got.size()) + " of 6");
  co_return "ok";
}
Coro<std::string> queue_program() { return queue_program_of<MutantQueue>(); }
Coro<std::string> handoff_program() { return queue_program_of<HandoffQueue>(); }

// lockstep::Queue in the same program (put() is a coroutine there; put_nowait is not).
struct RealQueue {
  lockstep::Queue<int> q;
  void put(int item) { q.put_nowait(item); }
  Coro<int> get() { co_return co_await q.get(); }
  std::size_t qsize() const { return q.qsize(); }
  int take() { return q.get_nowait(); }
};
Coro<std::string> real_queue_program() { return queue_program_of<RealQueue>(); }

Coro<std::string> shield_program() {
  auto inner = create_task(
      []() -> Coro<int> {
        co_await sleep(5ms);
        co_return 42;
      }(),
      "shielded");
  auto waiter = create_task(mutant_shield(inner), "shield-waiter");
  co_await gather(return_exceptions, waiter);
  co_await gather(return_exceptions, inner);
  if (inner.cancelled()) throw std::runtime_error("the shielded task was cancelled");
  co_return "ok";
}

// Runs seeds 0, 1, ... with random cancellation (10% per await of `tasks`) until one
// fails, then shrinks that run. runs == 0: none failed in `limit`.
struct Found {
  std::uint64_t runs = 0;
  std::size_t non_default_before = 0;
  std::size_t non_default_after = 0;
  std::string summary;
  bool shrunk_replays = false;
};
template <class F>
Found find_and_shrink(F program, const char* tasks, std::uint64_t limit,
                      CancellationFuzzing::Point at = CancellationFuzzing::Point::kSuspend) {
  SimulationOptions o;
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.probability = 0.1;
  o.strategy.cancellation.tasks = tasks;
  o.strategy.cancellation.at = at;
  auto sweep = simulate_seeds(
      program, 0, limit, o, [](const auto&) {}, true);
  Found found;
  if (sweep.failing_seeds.empty()) return found;
  found.runs = sweep.runs;
  o.seed = sweep.failing_seeds.front();
  auto failing = simulate(program, o);
  auto small = shrink(program, failing.decisions, o);
  found.non_default_before = small.non_default_before;
  found.non_default_after = small.non_default_after;
  found.summary = small.summary;
  auto again = replay(program, small.run.decisions, o);
  found.shrunk_replays = !again.divergence && !again.outcome.ok() &&
                         describe_exception(again.outcome.exception()) == small.failure;
  return found;
}

TEST(MutantsTest, EachBrokenPrimitiveIsFoundWithinTwentyRunsAndShrinksToOneCancel) {
  struct Case {
    const char* name;
    Found found;
  };
  const Case cases[] = {
      {"Lock (lost wakeup)", find_and_shrink(lock_program, "locker-*", 1000)},
      {"Queue (item to a cancelled getter)", find_and_shrink(queue_program, "consumer", 1000)},
      {"shield (no protection)", find_and_shrink(shield_program, "shield-waiter", 1000)},
  };
  for (const Case& c : cases) {
    std::printf(
        "mutant %-36s found after %llu runs; shrunk from %zu to %zu non-default "
        "decisions\n  %s\n",
        c.name, static_cast<unsigned long long>(c.found.runs), c.found.non_default_before,
        c.found.non_default_after, c.found.summary.c_str());
    RecordProperty(c.name, std::to_string(c.found.runs));
    EXPECT_GT(c.found.runs, 0u) << c.name << " was not found in 1000 runs";
    EXPECT_LE(c.found.runs, 20u) << c.name;
    // One cancel at the right await is all each mistake needs.
    EXPECT_EQ(c.found.non_default_after, 1u) << c.name << ": " << c.found.summary;
    EXPECT_THAT(c.found.summary, ::testing::HasSubstr("a cancel injected into")) << c.name;
    EXPECT_TRUE(c.found.shrunk_replays) << c.name;
  }
}

TEST(MutantsTest, EachBrokenPrimitiveIsFoundByACancelAtSomeAwait) {
  SimulationOptions o;
  o.seed = 0;
  for (auto [program, tasks] :
       {std::pair{&lock_program, "locker-*"}, std::pair{&queue_program, "consumer"},
        std::pair{&shield_program, "shield-waiter"}}) {
    o.strategy.cancellation.tasks = tasks;
    auto sweep = cancel_at_each_await(program, o, [](std::uint64_t, const auto&) {});
    EXPECT_TRUE(sweep.baseline_ok) << tasks;
    EXPECT_FALSE(sweep.failing.empty()) << tasks << ": no await of " << sweep.awaits << " fails";
  }
}

// The wake point: a cancel after what a task awaited completed, before it resumed.
// The hand-off queue survives every cancel at a suspension (random at 10% over 1000
// seeds, and a cancel at each await in turn) and is found at once at the wake point,
// shrunk to that one cancel; lockstep's own Queue survives both.
TEST(MutantsTest, AHandoffThatAssumesTheWokenGetterTakesTheItemIsFoundOnlyAtTheWakePoint) {
  using Point = CancellationFuzzing::Point;
  const Found at_suspend = find_and_shrink(handoff_program, "consumer", 1000, Point::kSuspend);
  const Found at_wake = find_and_shrink(handoff_program, "consumer", 1000, Point::kWake);
  std::printf(
      "hand-off queue: at suspend %s in 1000 runs; at wake found after %llu runs, shrunk "
      "from %zu to %zu\n  %s\n",
      at_suspend.runs ? "FOUND" : "not found", static_cast<unsigned long long>(at_wake.runs),
      at_wake.non_default_before, at_wake.non_default_after, at_wake.summary.c_str());
  RecordProperty("handoff_runs_at_wake", std::to_string(at_wake.runs));
  EXPECT_EQ(at_suspend.runs, 0u) << "a cancel at a suspension should not break it";
  EXPECT_GT(at_wake.runs, 0u);
  EXPECT_LE(at_wake.runs, 20u);
  EXPECT_EQ(at_wake.non_default_after, 1u) << at_wake.summary;
  EXPECT_THAT(at_wake.summary, ::testing::HasSubstr("a cancel delivered to 'consumer' after its "
                                                    "await of a Future created at "));
  EXPECT_THAT(at_wake.summary, ::testing::HasSubstr("completed, before it resumed"));
  EXPECT_TRUE(at_wake.shrunk_replays);

  // Exhaustive: no single suspension breaks it; some single wake does.
  SimulationOptions o;
  o.strategy.cancellation.tasks = "consumer";
  auto suspends = cancel_at_each_await(handoff_program, o, [](std::uint64_t, const auto&) {});
  o.strategy.cancellation.at = Point::kWake;
  auto wakes = cancel_at_each_await(handoff_program, o, [](std::uint64_t, const auto&) {});
  std::printf("exhaustive: %zu of %llu suspensions fail, %zu of %llu wakes fail\n",
              suspends.failing.size(), static_cast<unsigned long long>(suspends.awaits),
              wakes.failing.size(), static_cast<unsigned long long>(wakes.awaits));
  EXPECT_GT(suspends.awaits, 0u);
  EXPECT_TRUE(suspends.failing.empty());
  EXPECT_GT(wakes.awaits, 0u);
  EXPECT_FALSE(wakes.failing.empty());

  // asyncio.Queue keeps the item in the queue until the getter runs: nothing is lost.
  o.strategy.cancellation.mode = CancellationFuzzing::Mode::kRandom;
  o.strategy.cancellation.probability = 0.2;
  o.strategy.cancellation.at = Point::kBoth;
  auto real = simulate_seeds(
      real_queue_program, 0, 300, o, [](const auto&) {}, true);
  EXPECT_TRUE(real.failing_seeds.empty())
      << "lockstep::Queue lost an item at seed " << real.failing_seeds.front();
  auto real_wakes = cancel_at_each_await(real_queue_program, o, [](std::uint64_t, const auto&) {});
  EXPECT_TRUE(real_wakes.failing.empty());
}

}  // namespace
}  // namespace lockstep
