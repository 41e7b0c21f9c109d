// W2 yield: one op = one sleep(0), a context switch through the ready queue.
// 1,000 tasks each yield 1,000 times; the root gathers them. LOCKSTEP_BENCH_SCALE=k has
// each yield k times as often (lockstep only: the other implementations do not read it),
// for long runs: k=100 is 10^8 steps.
#include <cstdlib>
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kTasks = 1'000;
constexpr long kYields = 1'000;

long yields_per_task() {
  const char* scale = std::getenv("LOCKSTEP_BENCH_SCALE");
  const long k = scale ? std::atol(scale) : 1;
  return kYields * (k > 0 ? k : 1);
}

lockstep::Coro<long> yielder(long yields) {
  for (long i = 0; i < yields; ++i) co_await lockstep::sleep(lockstep::Duration::zero());
  co_return yields;
}

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  lockstep::bench::Stopwatch watch;
  std::vector<lockstep::Task<long>> tasks;
  tasks.reserve(kTasks);
  const long yields = yields_per_task();
  for (int i = 0; i < kTasks; ++i) tasks.push_back(lockstep::create_task(yielder(yields)));
  long switches = 0;
  for (long v : co_await lockstep::gather(tasks)) switches += v;
  elapsed_ns = watch.elapsed_ns();
  co_return switches;
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const long switches = lockstep::bench::run_workload("yield", [&] { return root(elapsed_ns); });
  lockstep::bench::check("yield", "switches=" + std::to_string(switches));
  lockstep::bench::report("yield", static_cast<std::int64_t>(kTasks) * yields_per_task(),
                          elapsed_ns);
}
