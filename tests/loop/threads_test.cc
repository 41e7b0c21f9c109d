// Entry from other threads (call_soon_threadsafe, run_coroutine_threadsafe, KeepAlive),
// executors (run_in_executor, to_thread, ThreadPoolExecutor) and their determinism
// contract, and the real-time driver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

double now() { return to_seconds(Loop::current()->time()); }

// CPU work of a size that differs per job, so threads finish in an order of their own.
long busy_sum(long n) {
  long s = 0;
  for (long i = 0; i < n; ++i) s += (i * 7919) % 104729;
  return s;
}

TEST(ThreadsafeTest, APostWakesALoopKeptAliveForIt) {
  Loop loop;
  auto body = [&]() -> Coro<int> {
    Future<int> answer;
    Loop::KeepAlive hold = loop.keep_alive();
    // Handles are not thread-safe: the thread gets a pointer, and `answer` is touched
    // only inside the posted call, on the loop's thread.
    std::thread poster([&loop, answer = &answer, hold = std::move(hold)]() mutable {
      loop.call_soon_threadsafe([answer] { answer->set_result(42); });
      hold.reset();
    });
    int v = co_await answer;
    poster.join();
    co_return v;
  };
  EXPECT_EQ(loop.run_until_complete(body()), 42);
  EXPECT_EQ(to_seconds(loop.time()), 0.0);  // waiting for a thread takes no virtual time
}

TEST(ThreadsafeTest, WithoutAKeepAliveAnIdleLoopIsADeadlockNotAHang) {
  Loop loop;
  auto body = []() -> Coro<void> {
    Future<void> never;
    co_await never;
  };
  EXPECT_THROW(loop.run_until_complete(body()), DeadlockError);
}

TEST(ThreadsafeTest, PostsBeforeTheLoopRunsArriveInOrderOrAsDecided) {
  struct PickLast : DecisionSource {
    Perturbs perturbs() const override { return {.completion_order = true}; }
    std::size_t pick_completion(std::size_t n) override { return n - 1; }
  };
  for (bool perturbed : {false, true}) {
    PickLast picker;
    LoopOptions options;
    if (perturbed) options.decisions = &picker;
    Loop loop(options);
    std::vector<int> order;
    std::thread t([&] {
      for (int i = 0; i < 3; ++i) loop.call_soon_threadsafe([&order, i] { order.push_back(i); });
    });
    t.join();
    loop.run_until_complete([]() -> Coro<void> { co_await sleep(0s); }());
    if (perturbed)
      EXPECT_THAT(order, ElementsAre(2, 1, 0));
    else
      EXPECT_THAT(order, ElementsAre(0, 1, 2));
  }
}

TEST(ThreadsafeTest, AClosedLoopRefusesPostsWithAClearError) {
  Loop loop;
  loop.close();
  try {
    loop.call_soon_threadsafe([] {});
    ADD_FAILURE();
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "lockstep: Event loop is closed");
  }
}

Coro<int> doubled(int x) {
  co_await sleep(1s);
  if (x < 0) throw std::invalid_argument("negative");
  co_return 2 * x;
}

TEST(ThreadsafeTest, RunCoroutineThreadsafeDeliversResultsAndErrors) {
  Loop loop;
  auto body = [&]() -> Coro<void> {
    Future<void> finished;
    std::promise<std::string> report;
    std::thread client([&loop, finished = &finished, hold = loop.keep_alive(), &report] {
      std::string r = std::to_string(run_coroutine_threadsafe(doubled(21), loop).get());
      try {
        run_coroutine_threadsafe(doubled(-1), loop).get();
      } catch (const std::invalid_argument& e) {
        r += std::string(" ") + e.what();
      }
      report.set_value(r);
      loop.call_soon_threadsafe([finished] { finished->set_result(); });
    });
    co_await finished;
    client.join();
    EXPECT_EQ(report.get_future().get(), "42 negative");
    EXPECT_EQ(now(), 2.0);  // each submitted coroutine slept 1 s of virtual time
  };
  loop.run_until_complete(body());
}

TEST(ThreadsafeTest, ACoroutineNeverStartedBecauseTheLoopClosedBreaksItsPromise) {
  std::future<int> f;
  {
    Loop loop;
    f = run_coroutine_threadsafe(doubled(1), loop);
  }  // closed without running: the call is dropped
  EXPECT_THROW(f.get(), std::future_error);
}

TEST(ThreadsafeTest, ACancelledCoroutineGivesCancelledError) {
  Loop loop;
  auto body = [&]() -> Coro<void> {
    std::future<int> f = run_coroutine_threadsafe(doubled(1), loop, "submitted");
    co_await sleep(0s);
    co_await sleep(0s);  // the posted call ran: the task exists
    for (AnyTask t : all_tasks())
      if (t.get_name() == "submitted") t.cancel("stop");
    co_await sleep(2s);
    bool cancelled = false;
    try {
      f.get();
    } catch (const CancelledError& e) {
      cancelled = e.message() == "stop";
    }
    EXPECT_TRUE(cancelled);
  };
  loop.run_until_complete(body());
}

// Decided job durations: what a simulation's decision source would say.
struct JobDurations : DecisionSource {
  std::vector<Duration> durations;
  Perturbs perturbs() const override { return {.job_duration = true}; }
  Duration job_duration(std::uint64_t job) override { return durations.at(job - 1); }
};

std::vector<std::string> run_jobs_once(ThreadPoolExecutor& pool) {
  JobDurations d;
  d.durations = {3s, 1s, 2s, 1s, 0s, 2s};
  LoopOptions options;
  options.decisions = &d;
  Loop loop(options);
  std::vector<std::string> log;
  auto body = [&]() -> Coro<void> {
    std::vector<Future<long>> jobs;
    // Job i is given a cost unrelated to its decided duration.
    for (long i = 0; i < 6; ++i) jobs.push_back(run_in_executor(&pool, busy_sum, (6 - i) * 20000));
    std::vector<Task<void>> watchers;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      watchers.push_back(create_task(
          [](Future<long> f, std::size_t i, std::vector<std::string>* log) -> Coro<void> {
            long v = co_await f;
            log->push_back("job " + std::to_string(i) + " at t=" + std::to_string(int(now())) +
                           " sum%7=" + std::to_string(v % 7));
          }(jobs[i], i, &log)));
    }
    co_await gather(watchers);
  };
  loop.run_until_complete(body());
  return log;
}

TEST(ExecutorTest, CompletionsEnterTheLoopAtDecidedVirtualTimesWhateverTheThreadsDid) {
  ThreadPoolExecutor pool(3);
  const std::vector<std::string> first = run_jobs_once(pool);
  ASSERT_EQ(first.size(), 6u);
  // By decided duration; equal durations in submission order.
  EXPECT_THAT(first[0], HasSubstr("job 4 at t=0"));
  EXPECT_THAT(first[1], HasSubstr("job 1 at t=1"));
  EXPECT_THAT(first[2], HasSubstr("job 3 at t=1"));
  EXPECT_THAT(first[3], HasSubstr("job 2 at t=2"));
  EXPECT_THAT(first[4], HasSubstr("job 5 at t=2"));
  EXPECT_THAT(first[5], HasSubstr("job 0 at t=3"));
  for (int run = 0; run < 25; ++run) EXPECT_EQ(run_jobs_once(pool), first) << "run " << run;
}

TEST(ExecutorTest, ExceptionsReachTheAwaiterAndToThreadUsesTheDefaultPool) {
  Loop loop;
  auto body = []() -> Coro<void> {
    int v = co_await to_thread([](int a, int b) { return a * b; }, 6, 7);
    EXPECT_EQ(v, 42);
    bool caught = false;
    try {
      co_await run_in_executor(nullptr, []() -> int { throw std::out_of_range("no such row"); });
    } catch (const std::out_of_range& e) {
      caught = std::string(e.what()) == "no such row";
    }
    EXPECT_TRUE(caught);
    co_await to_thread([] {});  // void jobs too
    EXPECT_EQ(now(), 0.0);      // default duration: zero virtual time
  };
  loop.run_until_complete(body());
}

TEST(ExecutorTest, ACancelledJobThatHasNotStartedNeverRuns) {
  ThreadPoolExecutor pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> second_ran{false};
  Loop loop;
  auto body = [&]() -> Coro<void> {
    Future<void> blocker = run_in_executor(&pool, [released] { released.wait(); });
    Future<void> second = run_in_executor(&pool, [&second_ran] { second_ran = true; });
    second.cancel();
    // The cancellation reaches the job through the future's done callbacks, run at the
    // loop's next iteration (as asyncio's _call_check_cancel): before then the pool may
    // still take it (ASan's timing showed that race).
    co_await sleep(Duration::zero());
    release.set_value();
    co_await blocker;
    EXPECT_TRUE(second.cancelled());
  };
  loop.run_until_complete(body());
  pool.shutdown(true);
  EXPECT_FALSE(second_ran.load());
}

TEST(ExecutorTest, ClosingTheLoopJoinsTheDefaultExecutor) {
  std::atomic<bool> finished{false};
  {
    Loop loop;
    auto body = [&]() -> Coro<void> {
      (void)run_in_executor(nullptr, [&finished] {
        busy_sum(200000);
        finished = true;
      });
      co_return;  // not awaited: the loop closes with the job in flight
    };
    loop.run_until_complete(body());
    loop.close();
    EXPECT_TRUE(finished.load());
  }
}

TEST(ExecutorTest, AShutDownExecutorRefusesWork) {
  ThreadPoolExecutor pool(2);
  EXPECT_EQ(pool.max_workers(), 2u);
  pool.shutdown();
  EXPECT_THROW(pool.submit([] {}), std::logic_error);
  EXPECT_GE(ThreadPoolExecutor().max_workers(), 5u);  // Python's default: cpus + 4
}

TEST(RealTimeDriverTest, SameProgramRunsInRealTimeWithExecutorsCompletingByPost) {
  RealTimeDriver wall;
  LoopOptions options;
  options.driver = &wall;
  Loop loop(options);
  auto body = []() -> Coro<long> {
    const TimePoint start = Loop::current()->time();
    long v = co_await to_thread(busy_sum, 100000L);
    co_await sleep(1ms);
    EXPECT_GE(Loop::current()->time() - start, 1ms);  // real time passed
    co_return v;
  };
  EXPECT_EQ(loop.run_until_complete(body()), busy_sum(100000));
}

TEST(RealTimeDriverTest, NothingToWaitForIsStillADeadlock) {
  RealTimeDriver wall;
  LoopOptions options;
  options.driver = &wall;
  Loop loop(options);
  auto body = []() -> Coro<void> {
    Future<void> never;
    co_await never;
  };
  EXPECT_THROW(loop.run_until_complete(body()), DeadlockError);
}

}  // namespace
}  // namespace lockstep
