// Micro-benchmarks of single loop operations (Google Benchmark). The workloads in
// workloads/ are what we compare against CPython; these locate a regression.
//   ./bazelw run -c opt //bench:micro_bench
#include <benchmark/benchmark.h>

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

}  // namespace
