// The real driver: fd readiness (wait_readable/wait_writable, add_reader/add_writer) over
// socketpairs, call_soon_threadsafe waking epoll_wait, real timers, and asyncio.run's
// SIGINT handling (SIGTERM too). No test sleeps to synchronise: every wait is on an event,
// bounded by a timer that fails the test instead of hanging it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "loop/lockstep.h"
#include "tests/loop/test_util.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A connected, non-blocking AF_UNIX stream pair, closed on destruction.
struct SocketPair {
  int a = -1, b = -1;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    a = fds[0];
    b = fds[1];
  }
  SocketPair(const SocketPair&) = delete;
  ~SocketPair() {
    if (a >= 0) ::close(a);
    if (b >= 0) ::close(b);
  }
  void close_b() {
    ::close(b);
    b = -1;
  }
};

void put(int fd, const std::string& s) {
  ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}
std::string take(int fd) {
  char buf[256];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// A loop on a fresh EpollDriver, with a watchdog: a test whose awaited event never comes
// fails after 10 s instead of hanging.
struct RealLoop {
  EpollDriver driver;
  std::vector<std::string> errors;
  Loop loop{[this] {
    LoopOptions o = testing::capture_errors(errors);
    o.driver = &driver;
    return o;
  }()};
  template <class T>
  T run(Coro<T> main) {
    Task<T> task = loop.create_task(std::move(main), "main");
    TimerHandle watchdog = loop.call_later(10s, [task]() mutable {
      ADD_FAILURE() << "watchdog: the test hung";
      task.cancel("watchdog");
    });
    struct Cancel {
      TimerHandle& h;
      ~Cancel() { h.cancel(); }
    } cancel{watchdog};
    return loop.run_until_complete(Future<T>(task));
  }
};

TEST(EpollDriverTest, WaitReadableWakesWhenDataArrives) {
  RealLoop r;
  SocketPair p;
  r.loop.call_later(1ms, [&] { put(p.b, "ping"); });
  auto main = [&]() -> Coro<std::string> {
    co_await wait_readable(p.a);
    co_return take(p.a);
  };
  EXPECT_EQ(r.run(main()), "ping");
  EXPECT_FALSE(r.driver.has_watches()) << "a completed wait leaves no interest behind";
}

TEST(EpollDriverTest, DataThatArrivedBeforeTheWaitIsNotLost) {
  RealLoop r;
  SocketPair p;
  put(p.b, "early");
  auto main = [&]() -> Coro<std::string> {
    co_await wait_readable(p.a);
    co_return take(p.a);
  };
  EXPECT_EQ(r.run(main()), "early");
}

TEST(EpollDriverTest, AHungUpPeerWakesTheReader) {
  RealLoop r;
  SocketPair p;
  r.loop.call_soon([&] { p.close_b(); });
  auto main = [&]() -> Coro<ssize_t> {
    co_await wait_readable(p.a);
    char c;
    co_return ::read(p.a, &c, 1);
  };
  EXPECT_EQ(r.run(main()), 0) << "EOF";
}

TEST(EpollDriverTest, CancellingAWaitRemovesItsInterestAndTheFdCanBeWaitedOnAgain) {
  RealLoop r;
  SocketPair p;
  testing::EventLog log;
  auto reader = [&]() -> Coro<std::string> {
    try {
      co_await wait_readable(p.a);
      log("first wait returned");
    } catch (const CancelledError& e) {
      log("first wait cancelled: " + e.message());
    }
    // At once, in the same step: the cancelled wait's cleanup must not remove this one.
    Future<void> again = wait_readable(p.a);
    log("waiting again");
    co_await again;
    co_return take(p.a);
  };
  auto main = [&]() -> Coro<std::string> {
    Task<std::string> t = create_task(reader(), "reader");
    co_await sleep(1ms);
    t.cancel("stop");
    for (int i = 0; i < 5; ++i) co_await sleep(0s);  // the old wait's cleanup has run
    EXPECT_TRUE(r.driver.has_watches()) << "the second wait still has its interest";
    put(p.b, "second");
    co_return co_await t;
  };
  EXPECT_EQ(r.run(main()), "second");
  EXPECT_THAT(log.lines, ElementsAre("first wait cancelled: stop", "waiting again"));
  EXPECT_FALSE(r.driver.has_watches());
}

TEST(EpollDriverTest, ACancelledWaitLeavesNothingWatched) {
  RealLoop r;
  SocketPair p;
  auto main = [&]() -> Coro<void> {
    Task<void> t =
        create_task([](int fd) -> Coro<void> { co_await wait_readable(fd); }(p.a), "waiter");
    co_await sleep(0s);
    EXPECT_TRUE(r.driver.has_watches());
    t.cancel();
    try {
      co_await t;
      ADD_FAILURE() << "the wait completed";
    } catch (const CancelledError&) {
    }
    co_await sleep(0s);
  };
  r.run(main());
  EXPECT_FALSE(r.driver.has_watches());
}

TEST(EpollDriverTest, TwoWaitsOnOneFdAndDirectionAreRefused) {
  RealLoop r;
  SocketPair p;
  auto main = [&]() -> Coro<std::string> {
    Future<void> first = wait_readable(p.a);
    std::string error;
    try {
      Future<void> second = wait_readable(p.a);
    } catch (const RuntimeError& e) {
      error = e.what();
    }
    Future<void> other_direction = wait_writable(p.a);  // fine
    co_await other_direction;
    first.cancel();
    co_return error;
  };
  EXPECT_THAT(r.run(main()), HasSubstr("already has a task waiting for it to become readable"));
}

TEST(EpollDriverTest, WaitWritableWakesWhenTheBufferDrains) {
  RealLoop r;
  SocketPair p;
  auto main = [&]() -> Coro<bool> {
    co_await wait_writable(p.a);  // a fresh socket is writable
    std::string chunk(4096, 'x');
    std::size_t written = 0;
    while (::write(p.a, chunk.data(), chunk.size()) > 0) written += chunk.size();
    EXPECT_EQ(errno, EAGAIN);
    Loop::current()->call_later(1ms, [&] {
      char buf[65536];
      while (::read(p.b, buf, sizeof buf) > 0) {
      }
    });
    co_await wait_writable(p.a);
    co_return written > 0;
  };
  EXPECT_TRUE(r.run(main()));
}

TEST(EpollDriverTest, ManyFdsEachWakeTheirOwnWaiter) {
  constexpr int kPairs = 150;  // more than one epoll_wait batch (64 events)
  RealLoop r;
  std::vector<std::unique_ptr<SocketPair>> pairs;
  for (int i = 0; i < kPairs; ++i) pairs.push_back(std::make_unique<SocketPair>());
  auto waiter = [](int fd, int i) -> Coro<int> {
    co_await wait_readable(fd);
    EXPECT_EQ(take(fd), std::to_string(i));
    co_return i;
  };
  auto main = [&]() -> Coro<int> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < kPairs; ++i) tasks.push_back(create_task(waiter(pairs[i]->a, i)));
    co_await sleep(0s);
    for (int i = kPairs - 1; i >= 0; --i) put(pairs[i]->b, std::to_string(i));
    int sum = 0;
    for (auto& t : tasks) sum += co_await t;
    co_return sum;
  };
  EXPECT_EQ(r.run(main()), kPairs * (kPairs - 1) / 2);
  EXPECT_FALSE(r.driver.has_watches());
}

TEST(EpollDriverTest, AddReaderIsLevelTriggeredUntilRemoved) {
  RealLoop r;
  SocketPair p;
  int calls = 0;
  auto main = [&]() -> Coro<void> {
    Future<void> done(*Loop::current());
    put(p.b, "abc");
    Loop::current()->add_reader(p.a, [&, done]() mutable {
      char c;
      ASSERT_EQ(::read(p.a, &c, 1), 1);  // one byte per call: still readable after
      if (++calls == 3) {
        EXPECT_TRUE(Loop::current()->remove_reader(p.a));
        done.set_result();
      }
    });
    co_await done;
  };
  r.run(main());
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(r.loop.remove_reader(p.a)) << "already removed";
  EXPECT_FALSE(r.driver.has_watches());
}

TEST(EpollDriverTest, ABusyLoopStillSeesItsFds) {
  RealLoop r;
  SocketPair p;
  put(p.b, "x");
  bool seen = false;
  r.loop.add_reader(p.a, [&] {
    seen = true;
    r.loop.remove_reader(p.a);
  });
  auto main = [&]() -> Coro<int> {
    int spins = 0;
    while (!seen) {  // never idle: the fd is polled in every iteration, as asyncio does
      ++spins;
      co_await sleep(0s);
    }
    co_return spins;
  };
  EXPECT_GE(r.run(main()), 1);
}

TEST(EpollDriverTest, WatchingAnFdTheKernelRefusesThrows) {
  RealLoop r;
  EXPECT_THROW(r.loop.add_reader(-1, [] {}), std::system_error);
  EXPECT_FALSE(r.driver.has_watches());
}

TEST(EpollDriverTest, TheVirtualDriverHasNoFds) {
  Loop loop;  // VirtualDriver
  SocketPair p;
  auto main = [&]() -> Coro<std::string> {
    try {
      co_await wait_readable(p.a);
    } catch (const RuntimeError& e) {
      co_return e.what();
    }
    co_return "no error";
  };
  EXPECT_THAT(loop.run_until_complete(main()),
              HasSubstr("cannot watch fd " + std::to_string(p.a) +
                        " for becoming readable: the loop's driver has no file descriptors"));
  EXPECT_THROW(loop.add_writer(p.a, [] {}), RuntimeError);
}

TEST(EpollDriverTest, CallSoonThreadsafeWakesABlockedEpollWaitPromptly) {
  RealLoop r;
  Loop::KeepAlive alive = r.loop.keep_alive();
  std::promise<void> loop_idle;
  std::chrono::steady_clock::time_point posted, ran;
  auto main = [&]() -> Coro<void> {
    Future<void> from_thread(*Loop::current());
    Loop::current()->call_soon([&] { loop_idle.set_value(); });  // next: nothing ready
    std::thread poster([&, from_thread]() mutable {
      loop_idle.get_future().wait();
      posted = std::chrono::steady_clock::now();
      r.loop.call_soon_threadsafe([&, from_thread]() mutable {
        ran = std::chrono::steady_clock::now();
        from_thread.set_result();
      });
    });
    co_await from_thread;
    poster.join();
  };
  r.run(main());
  EXPECT_LT(ran - posted, 1s) << "the eventfd ended the wait (no timer was pending)";
  EXPECT_GE(ran, posted);
}

TEST(EpollDriverTest, TimersFireOnTheRealClockNeverEarly) {
  RealLoop r;
  auto main = [&]() -> Coro<Duration> {
    const TimePoint start = Loop::current()->time();
    co_await sleep(3ms);
    co_return Loop::current()->time() - start;
  };
  const Duration took = r.run(main());
  EXPECT_GE(took, 3ms);
  EXPECT_LT(took, 1s);
}

TEST(EpollDriverTest, NothingToWaitForIsStillADeadlock) {
  RealLoop r;
  auto main = []() -> Coro<void> {
    Future<void> never;
    co_await never;
  };
  EXPECT_THROW(r.loop.run_until_complete(main()), DeadlockError);
}

// --- SIGINT and SIGTERM under lockstep::run -------------------------------------------

struct sigaction disposition(int sig) {
  struct sigaction now {};
  ::sigaction(sig, nullptr, &now);
  return now;
}

RunOptions real_run(EpollDriver& driver) {
  RunOptions o;
  o.driver = &driver;
  o.main_task_name = "main";
  return o;
}

TEST(EpollDriverSignalsTest, SigintCancelsMainWhoseCleanupRunsThenRunRaisesKeyboardInterrupt) {
  EpollDriver driver;
  testing::EventLog log;
  auto main = [&]() -> Coro<int> {
    Loop::current()->call_later(1ms, [] { std::raise(SIGINT); });
    bool cancelled = false;
    try {
      co_await sleep(10s);
      log("slept");
    } catch (const CancelledError&) {
      log("main cancelled");
      cancelled = true;
    }
    if (cancelled) {
      co_await sleep(0s);  // cleanup may await
      log("cleanup done");
      throw CancelledError();
    }
    co_return 0;
  };
  const auto start = std::chrono::steady_clock::now();
  try {
    run(main(), real_run(driver));
    ADD_FAILURE() << "run() returned";
  } catch (const KeyboardInterrupt& e) {
    EXPECT_EQ(e.signal(), SIGINT);
    EXPECT_STREQ(e.what(), "lockstep: interrupted by SIGINT");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_THAT(log.lines, ElementsAre("main cancelled", "cleanup done"));
  EXPECT_EQ(disposition(SIGINT).sa_handler, SIG_DFL) << "restored";
  EXPECT_EQ(disposition(SIGTERM).sa_handler, SIG_DFL) << "restored";
}

TEST(EpollDriverSignalsTest, SigtermIsHandledTheSameWay) {
  EpollDriver driver;
  auto main = []() -> Coro<void> {
    Loop::current()->call_soon([] { ::kill(::getpid(), SIGTERM); });
    co_await sleep(10s);
  };
  try {
    run(main(), real_run(driver));
    ADD_FAILURE() << "run() returned";
  } catch (const KeyboardInterrupt& e) {
    EXPECT_EQ(e.signal(), SIGTERM);
  }
}

TEST(EpollDriverSignalsTest, AMainThatAbsorbsTheCancellationReturnsNormally) {
  EpollDriver driver;
  auto main = []() -> Coro<int> {
    Loop::current()->call_soon([] { std::raise(SIGINT); });
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
      co_return 7;  // as in asyncio: run() returns what main returned
    }
    co_return 0;
  };
  EXPECT_EQ(run(main(), real_run(driver)), 7);
}

TEST(EpollDriverSignalsTest, ASecondSigintDuringCleanupStopsTheRunAndTheShutdownCancelsMain) {
  EpollDriver driver;
  testing::EventLog log;
  auto worker = [&]() -> Coro<void> {
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
      log("worker cancelled by the shutdown");
      throw;
    }
  };
  auto main = [&]() -> Coro<void> {
    Task<void> w = create_task(worker(), "worker");
    Loop::current()->call_soon([] { std::raise(SIGINT); });
    try {
      co_await sleep(10s);
    } catch (const CancelledError&) {
      log("main cancelled");
    }
    std::raise(SIGINT);  // Ctrl-C again: the cleanup below takes too long
    try {
      co_await sleep(10s);
      log("slow cleanup finished");
    } catch (const CancelledError&) {
      log("main's cleanup cancelled by the shutdown");
      throw;
    }
  };
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run(main(), real_run(driver)), KeyboardInterrupt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // The shutdown cancels the leftovers in creation order: main, then the worker.
  EXPECT_THAT(log.lines, ElementsAre("main cancelled", "main's cleanup cancelled by the shutdown",
                                     "worker cancelled by the shutdown"));
}

TEST(EpollDriverSignalsTest, AProgramsOwnHandlerIsLeftAlone) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &before), 0);
  EpollDriver driver;
  auto main = []() -> Coro<int> {
    std::raise(SIGINT);  // ignored, as the program asked
    co_await sleep(1ms);
    co_return 1;
  };
  EXPECT_EQ(run(main(), real_run(driver)), 1);
  EXPECT_EQ(disposition(SIGINT).sa_handler, SIG_IGN);
  ::sigaction(SIGINT, &before, nullptr);
}

TEST(EpollDriverSignalsTest, AVirtualRunInstallsNoHandler) {
  auto main = []() -> Coro<bool> { co_return disposition(SIGINT).sa_handler == SIG_DFL; };
  EXPECT_TRUE(run(main()));
}

}  // namespace
}  // namespace lockstep
