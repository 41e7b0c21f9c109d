// Micro-benchmarks of single loop operations (Google Benchmark). The workloads in
// workloads/ are what we compare against CPython; these locate a regression.
//   ./bazelw run -c opt //bench:micro_bench
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "loop/lockstep.h"

namespace {

using lockstep::Coro;
using lockstep::Loop;

void BM_CallSoon(benchmark::State& state) {
  Loop loop;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) loop.call_soon([] {});
    loop.call_soon([&] { loop.stop(); });
    loop.run_forever();
  }
  state.SetItemsProcessed(state.iterations() * 1001);
}
BENCHMARK(BM_CallSoon);

void BM_CallLaterFire(benchmark::State& state) {
  Loop loop;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) loop.call_later(std::chrono::milliseconds(i % 97), [] {});
    loop.call_later(std::chrono::seconds(1), [&] { loop.stop(); });
    loop.run_forever();
  }
  state.SetItemsProcessed(state.iterations() * 1001);
}
BENCHMARK(BM_CallLaterFire);

Coro<int> leaf(int i) { co_return i; }

void BM_InlineAwait(benchmark::State& state) {
  Loop loop;
  for (auto _ : state) {
    auto body = []() -> Coro<long> {
      long s = 0;
      for (int i = 0; i < 1000; ++i) s += co_await leaf(i);
      co_return s;
    };
    benchmark::DoNotOptimize(loop.run_until_complete(body()));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_InlineAwait);

void BM_CreateTaskAndJoin(benchmark::State& state) {
  Loop loop;
  for (auto _ : state) {
    auto body = []() -> Coro<long> {
      long s = 0;
      for (int i = 0; i < 1000; ++i) s += co_await lockstep::create_task(leaf(i));
      co_return s;
    };
    benchmark::DoNotOptimize(loop.run_until_complete(body()));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_CreateTaskAndJoin);

void BM_FutureSetAndAwait(benchmark::State& state) {
  Loop loop;
  for (auto _ : state) {
    auto body = [&]() -> Coro<long> {
      long s = 0;
      for (int i = 0; i < 1000; ++i) {
        lockstep::Future<int> f = loop.create_future<int>();
        loop.call_soon([f, i]() mutable { f.set_result(i); });
        s += co_await f;
      }
      co_return s;
    };
    benchmark::DoNotOptimize(loop.run_until_complete(body()));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FutureSetAndAwait);

// The real driver: a round trip to another thread. The loop is idle in epoll_wait when
// the post arrives, so each iteration measures call_soon_threadsafe's eventfd wake-up.
void BM_EpollThreadsafeWakeRoundTrip(benchmark::State& state) {
  lockstep::EpollDriver real;
  Loop loop({.driver = &real});
  std::atomic<int> asked{0};
  std::atomic<bool> quit{false};
  std::thread other([&] {
    int served = 0;
    for (;;) {
      asked.wait(served, std::memory_order_acquire);  // a futex: no spinning
      if (quit.load(std::memory_order_acquire)) return;
      ++served;
      loop.call_soon_threadsafe([&loop] { loop.stop(); });
    }
  });
  Loop::KeepAlive alive = loop.keep_alive();
  for (auto _ : state) {
    asked.fetch_add(1, std::memory_order_release);
    asked.notify_one();
    loop.run_forever();  // idles in epoll_wait until the post
  }
  quit.store(true, std::memory_order_release);
  asked.fetch_add(1, std::memory_order_release);
  asked.notify_one();
  other.join();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EpollThreadsafeWakeRoundTrip)->UseRealTime();

// The real driver: one byte back and forth over a socketpair between two tasks, each
// waiting with wait_readable (an epoll_ctl to add and one to remove per wait).
void BM_EpollSocketpairPingPong(benchmark::State& state) {
  lockstep::EpollDriver real;
  Loop loop({.driver = &real});
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) {
    state.SkipWithError("socketpair");
    return;
  }
  auto side = [](int fd, int rounds, bool first) -> Coro<void> {
    char c = 'x';
    for (int i = 0; i < rounds; ++i) {
      if (!(first && i == 0)) {
        co_await lockstep::wait_readable(fd);
        if (::read(fd, &c, 1) != 1) co_return;
      }
      if (::write(fd, &c, 1) != 1) co_return;
    }
  };
  for (auto _ : state) {
    auto body = [&]() -> Coro<void> {
      co_await lockstep::gather(lockstep::create_task(side(fds[0], 1000, true)),
                                lockstep::create_task(side(fds[1], 1000, false)));
    };
    loop.run_until_complete(body());
    char drain[16];
    while (::read(fds[0], drain, sizeof drain) > 0) {
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  state.SetItemsProcessed(state.iterations() * 2000);
}
BENCHMARK(BM_EpollSocketpairPingPong)->UseRealTime();

}  // namespace
