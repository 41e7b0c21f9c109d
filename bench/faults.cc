// Cost of fault points and speed of cancellation fuzzing (issue 6).
//   ./bazelw run -c opt //bench:faults
// 1. A disabled fault point: a yield loop of 1,000,000 iterations with and without
//    `if (lockstep::buggify())` in its body, outside a simulation (where buggify() is a
//    thread-local load and a branch). Medians of 9 interleaved rounds; the ratio should be
//    indistinguishable from 1.
// 2. Runs per second of a cancellation-fuzzing sweep: a pool of 3 connections shared by
//    4 workers (as examples/cancel_fuzz), 1,000 seeds, 5% cancels per worker await.
// `faults plain` / `faults fault-point` run one loop once, for instruction counts that
// noise cannot blur:
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null bazel-bin/bench/faults plain
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "bench/report.h"
#include "faults/buggify.h"
#include "loop/lockstep.h"
#include "sim/simulation.h"

namespace {

using namespace std::chrono_literals;
using lockstep::Coro;

constexpr int kIterations = 1'000'000;

Coro<long> yields() {
  long n = 0;
  for (int i = 0; i < kIterations; ++i) {
    co_await lockstep::sleep(0s);
    ++n;
  }
  co_return n;
}

Coro<long> yields_with_fault_point() {
  long n = 0;
  for (int i = 0; i < kIterations; ++i) {
    co_await lockstep::sleep(0s);
    if (lockstep::buggify()) n += 2;  // never outside a simulation
    ++n;
  }
  co_return n;
}

Coro<int> pool_service() {
  lockstep::Semaphore free(3);
  int lent = 0;
  std::vector<lockstep::Task<void>> workers;
  for (int w = 0; w < 4; ++w)
    workers.push_back(lockstep::create_task(
        [](lockstep::Semaphore* free, int* lent) -> Coro<void> {
          for (int i = 0; i < 3; ++i) {
            co_await free->acquire();
            ++*lent;
            try {
              co_await lockstep::sleep(std::chrono::milliseconds(1 + lockstep::random_below(4)));
            } catch (...) {
              --*lent;
              free->release();
              throw;
            }
            --*lent;
            free->release();
          }
        }(&free, &lent),
        "worker-" + std::to_string(w)));
  co_await lockstep::gather(lockstep::return_exceptions, workers);
  co_return lent;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "plain") == 0) return lockstep::run(yields()) > 0 ? 0 : 1;
  if (argc == 2 && std::strcmp(argv[1], "fault-point") == 0)
    return lockstep::run(yields_with_fault_point()) > 0 ? 0 : 1;
  if (argc != 1) {
    std::fprintf(stderr, "usage: faults [plain | fault-point]\n");
    return 2;
  }
  const auto m = lockstep::bench::interleaved_medians(
      {[] { lockstep::run(yields()); }, [] { lockstep::run(yields_with_fault_point()); }}, 9);
  std::printf("yield loop:                      %6.2f ns per iteration\n", m[0] / kIterations);
  std::printf("yield loop with a fault point:   %6.2f ns per iteration\n", m[1] / kIterations);
  std::printf("disabled fault point: %.3fx the loop without (%+.2f ns per reach)\n", m[1] / m[0],
              (m[1] - m[0]) / kIterations);

  lockstep::SimulationOptions options;
  options.strategy.cancellation.mode = lockstep::CancellationFuzzing::Mode::kRandom;
  options.strategy.cancellation.probability = 0.05;
  options.strategy.cancellation.tasks = "worker-*";
  constexpr std::uint64_t kSeeds = 1000;
  std::uint64_t cancels = 0;
  lockstep::bench::Stopwatch w;
  auto sweep = lockstep::simulate_seeds(pool_service, 0, kSeeds, options, [&](const auto& run) {
    for (const auto& d : run.decisions)
      cancels += d.kind == lockstep::DecisionKind::kCancel && d.value != 0;
  });
  const double seconds = static_cast<double>(w.elapsed_ns()) / 1e9;
  std::printf(
      "cancellation fuzzing sweep: %llu runs (%llu cancels injected, %zu failing) in "
      "%.3fs: %.0f runs per second\n",
      static_cast<unsigned long long>(sweep.runs), static_cast<unsigned long long>(cancels),
      sweep.failing_seeds.size(), seconds, static_cast<double>(sweep.runs) / seconds);
}
