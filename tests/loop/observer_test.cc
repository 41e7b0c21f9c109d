// LoopObserver: every task lifecycle event, timer and error reaches the observer, in the
// order it happened, stamped with the loop's time; a loop without one behaves the same.
#include "loop/observer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

// Records "t=<ms> <kind> task=<id> [other=<id>] [text]" lines; suspensions and wakeups
// only if `waits` (most tests are about the tasks' lives).
struct Recorder : LoopObserver {
  std::vector<std::string> lines;
  bool waits = false;
  void on_event(const LoopEvent& e) noexcept override {
    if (!waits &&
        (e.kind == LoopEvent::Kind::kTaskSuspended || e.kind == LoopEvent::Kind::kTaskWoken))
      return;
    std::string s = "t=" + std::to_string(e.time.time_since_epoch().count() / 1'000'000) + " " +
                    to_string(e.kind) + " task=" + std::to_string(e.task);
    if (e.other) s += " other=" + std::to_string(e.other);
    if (!e.text.empty()) s += " " + std::string(e.text);
    lines.push_back(s);
  }
};

// The events of run(main()) up to main's end (run's shutdown adds two tasks of its own,
// as asyncio.run does; the first test shows them).
std::vector<std::string> observe(Coro<void> (*main)(), bool with_shutdown = false,
                                 bool waits = false) {
  Recorder r;
  r.waits = waits;
  RunOptions o;
  o.observer = &r;
  o.main_task_name = "main";
  o.exception_handler = [](Loop&, const ExceptionContext&) {};
  try {
    run(main(), std::move(o));
  } catch (...) {
  }
  if (!with_shutdown) {
    auto main_end = std::find_if(r.lines.begin(), r.lines.end(), [](const std::string& s) {
      return s.find("task_finished task=1") != std::string::npos ||
             s.find("task_failed task=1") != std::string::npos;
    });
    if (main_end != r.lines.end()) r.lines.erase(main_end + 1, r.lines.end());
  }
  return r.lines;
}

TEST(ObserverTest, ATaskIsCreatedStartedAndFinishes) {
  auto lines = observe(
      []() -> Coro<void> {
        auto child = create_task([]() -> Coro<void> { co_await sleep(5ms); }(), "child");
        co_await child;
      },
      /*with_shutdown=*/true);
  EXPECT_THAT(lines, ElementsAre("t=0 task_created task=1 main", "t=0 task_started task=1",
                                 "t=0 task_created task=2 other=1 child", "t=0 task_started task=2",
                                 "t=5 timer_fired task=2", "t=5 task_finished task=2",
                                 "t=5 task_finished task=1",
                                 // run()'s shutdown: asyncio.run's two shutdown steps
                                 "t=5 task_created task=3 Task-2", "t=5 task_started task=3",
                                 "t=5 task_finished task=3", "t=5 task_created task=4 Task-3",
                                 "t=5 task_started task=4", "t=5 task_finished task=4"));
}

TEST(ObserverTest, FailuresCancellationsAndRenamesSayWhoAndWhy) {
  auto lines = observe([]() -> Coro<void> {
    auto failing = create_task([]() -> Coro<void> {
      co_await sleep(1ms);
      throw std::runtime_error("boom");
    }());
    auto sleeper = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "sleeper");
    sleeper.set_name("renamed");
    co_await sleep(2ms);
    sleeper.cancel("enough");
    try {
      co_await sleeper;
    } catch (const CancelledError&) {
    }
    try {
      co_await failing;
    } catch (const std::runtime_error&) {
    }
  });
  EXPECT_THAT(
      lines,
      ElementsAre("t=0 task_created task=1 main", "t=0 task_started task=1",
                  "t=0 task_created task=2 other=1 Task-1",
                  "t=0 task_created task=3 other=1 sleeper", "t=0 task_renamed task=3 renamed",
                  "t=0 task_started task=2", "t=0 task_started task=3", "t=1 timer_fired task=2",
                  "t=1 task_failed task=2 std::runtime_error: boom", "t=2 timer_fired task=1",
                  "t=2 cancel_requested task=3 other=1 enough", "t=2 task_cancelled task=3 enough",
                  "t=2 task_finished task=1"));
}

TEST(ObserverTest, ATaskCancelledBeforeItStartsNeverStarts) {
  auto lines = observe([]() -> Coro<void> {
    auto t = create_task([]() -> Coro<void> { co_return; }(), "never");
    t.cancel();
    co_await sleep(0s);
  });
  EXPECT_THAT(lines, ElementsAre("t=0 task_created task=1 main", "t=0 task_started task=1",
                                 "t=0 task_created task=2 other=1 never",
                                 "t=0 cancel_requested task=2 other=1", "t=0 task_cancelled task=2",
                                 "t=0 task_finished task=1"));
}

TEST(ObserverTest, ErrorsReportedToTheHandlerAreEvents) {
  auto lines = observe([]() -> Coro<void> {
    {
      auto t = create_task(
          []() -> Coro<void> {
            throw std::logic_error("nobody looks");
            co_return;
          }(),
          "lost");
      co_await sleep(0s);
    }  // the failed task's exception was never retrieved
  });
  EXPECT_THAT(lines, ::testing::Contains("t=0 error task=2 Task exception was never retrieved: "
                                         "std::logic_error: nobody looks"));
}

TEST(ObserverTest, ASuspensionSaysWhatTheTaskAwaitsAndTheWakeupWhoEndedIt) {
  auto lines = observe(
      []() -> Coro<void> {
        Queue<int> q;
        auto getter =
            create_task([](Queue<int>& q) -> Coro<void> { co_await q.get(); }(q), "getter");
        auto putter = create_task(
            [](Queue<int>& q) -> Coro<void> {
              co_await sleep(2ms);
              q.put_nowait(1);
            }(q),
            "putter");
        co_await getter;
        co_await putter;
      },
      /*with_shutdown=*/false, /*waits=*/true);
  EXPECT_THAT(lines, ::testing::IsSupersetOf({
                         "t=0 task_suspended task=1 Task 'getter'",
                         "t=0 task_suspended task=3 sleep(0.002s)",
                         // The timer putter armed; then putter's step hands getter the item.
                         "t=2 task_woken task=3 other=3 timer",
                         "t=2 task_woken task=2 other=3",
                         // getter's end wakes main, which awaited it.
                         "t=2 task_woken task=1 other=2",
                     }));
  const auto getter_waits = std::find_if(lines.begin(), lines.end(), [](const std::string& s) {
    return s.rfind("t=0 task_suspended task=2 ", 0) == 0;
  });
  ASSERT_NE(getter_waits, lines.end());
  EXPECT_THAT(*getter_waits, ::testing::HasSubstr("Queue.get()"));
}

// An observer that overrides on_wait_event (as the trace writer does) gets every
// suspension and wakeup there, with the fields on_event would have had, and not twice.
TEST(ObserverTest, WaitEventsReachAnOverriddenOnWaitEventInsteadOfOnEvent) {
  struct Split : Recorder {
    std::size_t waits_in_on_event = 0;
    void on_event(const LoopEvent& e) noexcept override {
      if (e.kind == LoopEvent::Kind::kTaskSuspended || e.kind == LoopEvent::Kind::kTaskWoken)
        ++waits_in_on_event;
      Recorder::on_event(e);
    }
    void on_wait_event(LoopEvent::Kind kind, TimePoint time, std::uint64_t task,
                       std::uint64_t other, std::string_view text,
                       std::uint64_t text_id) noexcept override {
      Recorder::on_event(LoopEvent{kind, time, task, other, text, false, text_id});
    }
  };
  auto program = []() -> Coro<void> {
    Queue<int> q;
    auto getter = create_task([](Queue<int>& q) -> Coro<void> { co_await q.get(); }(q));
    co_await sleep(2ms);
    q.put_nowait(1);
    co_await getter;
  };
  Recorder whole;
  whole.waits = true;
  Split split;
  split.waits = true;
  for (LoopObserver* o : {static_cast<LoopObserver*>(&whole), static_cast<LoopObserver*>(&split)}) {
    RunOptions options;
    options.observer = o;
    run(program(), std::move(options));
  }
  EXPECT_EQ(split.waits_in_on_event, 0u);
  EXPECT_EQ(split.lines, whole.lines);
  EXPECT_THAT(split.lines, ::testing::Contains("t=2 task_woken task=2 other=1"));
}

// A batching observer (as the trace writer is) gets suspensions, wakeups and timers
// firing in its batch, in their place among the other events, with the texts their
// numbers had when they happened: the same lines as an observer taking every event by
// on_event, here for more distinct sleep texts than the loop's table keeps (so numbers
// are given new texts) and waits with no reusable text (a task awaiting a task).
TEST(ObserverTest, BatchedEventsAreTheSameEventsInTheSameOrder) {
  struct Batching : Recorder {
    std::vector<BatchedEvent> storage = std::vector<BatchedEvent>(7);  // small: fills often
    EventBatch batch{storage.data(), storage.data() + storage.size()};
    std::vector<std::string> texts;  // by number
    std::size_t full = 0, batched = 0, waits_outside = 0, task_waits = 0;
    EventBatch* event_batch() noexcept override { return &batch; }
    void take() {
      for (BatchedEvent* e = storage.data(); e != batch.next; ++e) {
        ++batched;
        Recorder::on_event(LoopEvent{e->kind, e->time, e->task, e->other,
                                     e->text ? std::string_view(texts.at(e->text)) : ""});
      }
      batch.next = storage.data();
    }
    void on_batch_full() noexcept override {
      ++full;
      take();
    }
    void on_batch_text(std::uint32_t number, std::string_view text) noexcept override {
      take();  // the events before it have the number's old text
      if (texts.size() <= number) texts.resize(number + 1);
      texts[number] = std::string(text);
    }
    void on_event(const LoopEvent& e) noexcept override {
      take();
      if (e.kind == LoopEvent::Kind::kTimerFired ||
          (e.kind == LoopEvent::Kind::kTaskSuspended && e.text.starts_with("sleep(")))
        ++waits_outside;
      if (e.kind == LoopEvent::Kind::kTaskSuspended && e.text.starts_with("Task ")) ++task_waits;
      Recorder::on_event(e);
    }
  };
  auto program = []() -> Coro<void> {
    std::vector<Task<void>> sleepers;
    for (int i = 0; i < 3000; ++i)
      sleepers.push_back(create_task([](int i) -> Coro<void> {
        co_await sleep(std::chrono::microseconds(1 + i));     // 3000 different texts
        co_await sleep(std::chrono::microseconds(3001 - i));  // and again, in another order
      }(i)));
    for (auto& t : sleepers) co_await t;  // a wait whose text is the task's name
  };
  Recorder whole;
  whole.waits = true;
  Batching batching;
  batching.waits = true;
  for (LoopObserver* o :
       {static_cast<LoopObserver*>(&whole), static_cast<LoopObserver*>(&batching)}) {
    RunOptions options;
    options.observer = o;
    run(program(), std::move(options));
  }
  batching.take();  // what the run left in the batch (the trace writer's finish does this)
  EXPECT_EQ(batching.lines, whole.lines);
  EXPECT_GT(batching.full, 1000u);
  EXPECT_GT(batching.batched, 3 * 6000u) << "suspensions, timers firing and wakeups";
  EXPECT_GT(batching.texts.size(), 1000u);
  EXPECT_EQ(batching.waits_outside, 0u) << "sleeps' suspensions and timers go in the batch";
  EXPECT_GE(batching.task_waits, 1u) << "a text that is no key's goes by on_wait_event";
  EXPECT_THAT(batching.lines, ::testing::Contains("t=0 task_suspended task=3 sleep(2e-06s)"));
}

// An observer whose on_batch_full does not make room is not written past its batch: the
// loop gives it the rest of the events one by one.
TEST(ObserverTest, ABatchThatIsNotEmptiedIsNotOverrun) {
  struct Stuck : Recorder {
    std::vector<BatchedEvent> storage = std::vector<BatchedEvent>(4);
    EventBatch batch{storage.data(), storage.data() + storage.size()};
    std::size_t full = 0;
    EventBatch* event_batch() noexcept override { return &batch; }
    void on_batch_full() noexcept override { ++full; }  // keeps them all
  };
  Stuck stuck;
  stuck.waits = true;
  RunOptions options;
  options.observer = &stuck;
  run(
      []() -> Coro<void> {
        for (int i = 0; i < 10; ++i) co_await sleep(1ms);
      }(),
      std::move(options));
  EXPECT_EQ(stuck.full, 1u);
  EXPECT_EQ(stuck.batch.next, stuck.storage.data() + 4);
  // 10 sleeps: a suspension, a timer and a wakeup each; the first 4 went in the batch.
  EXPECT_EQ(std::count_if(stuck.lines.begin(), stuck.lines.end(),
                          [](const std::string& s) {
                            return s.find("task_suspended") != std::string::npos ||
                                   s.find("timer_fired") != std::string::npos ||
                                   s.find("task_woken") != std::string::npos;
                          }),
            30 - 4);
}

// A sleep's wait text is printf's "sleep(%gs)" of the delay, built without printf where
// that is exact: the same text for every delay, short or long, round or not.
TEST(ObserverTest, ASleepsWaitTextIsPrintfsG) {
  std::vector<std::int64_t> delays = {1,
                                      999,
                                      1000,
                                      99'999,
                                      100'000,
                                      100'001,
                                      250'000'000,
                                      1'000'000'000,
                                      1'500'000'000,
                                      123'456'000'000,
                                      999'999'000'000'000,
                                      1'000'000'000'000'000,
                                      -5'000'000,
                                      3'600'000'000'000};
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Round numbers of every size (what programs sleep for) and arbitrary ones.
    std::int64_t v = static_cast<std::int64_t>(x % 1'000'000) + 1;
    for (std::uint64_t k = (x >> 20) % 13; k > 0; --k) v *= 10;  // up to 10^18
    delays.push_back(v);
    delays.push_back(static_cast<std::int64_t>(x >> 12));
  }
  for (std::int64_t ns : delays) {
    std::string text;
    internal::append_sleep_text(text, Duration(ns));
    char expected[64];
    std::snprintf(expected, sizeof expected, "sleep(%gs)", to_seconds(Duration(ns)));
    ASSERT_EQ(text, expected) << ns << " ns";
  }
}

TEST(ObserverTest, ACancelWakesTheTaskOnBehalfOfTheRequester) {
  auto lines = observe(
      []() -> Coro<void> {
        auto sleeper = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "sleeper");
        co_await sleep(1ms);
        sleeper.cancel();
        try {
          co_await sleeper;
        } catch (const CancelledError&) {
        }
      },
      /*with_shutdown=*/false, /*waits=*/true);
  EXPECT_THAT(lines, ::testing::IsSupersetOf(
                         {"t=1 cancel_requested task=2 other=1", "t=1 task_woken task=2 other=1"}));
}

TEST(ObserverTest, ATimeoutsTimerWakesTheTaskItCancels) {
  auto lines = observe(
      []() -> Coro<void> {
        auto slow = create_task([]() -> Coro<void> { co_await sleep(1h); }(), "slow");
        try {
          co_await wait_for(slow, 3ms);
        } catch (const TimeoutError&) {
        }
      },
      /*with_shutdown=*/false, /*waits=*/true);
  // main's timeout fires: its timer cancels main, which forwards the cancel to slow (what
  // main awaits); slow wakes on behalf of main's timer, and its end wakes main.
  EXPECT_THAT(lines, ::testing::IsSupersetOf(
                         {"t=3 timer_fired task=1", "t=3 cancel_requested task=1",
                          "t=3 cancel_requested task=2", "t=3 task_woken task=2 other=1 timer",
                          "t=3 task_woken task=1 other=2"}));
}

TEST(ObserverTest, APlainCallbacksTimerHasNoTask) {
  Recorder r;
  Loop loop({.observer = &r});
  loop.call_later(3ms, [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_THAT(r.lines, ElementsAre("t=3 timer_fired task=0"));
}

}  // namespace
}  // namespace lockstep
