// W1 spawn: one op = one task created, scheduled, run and joined.
// 1,000,000 tasks running f(i) are all alive at once; the root gathers them all and sums
// the results.
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kN = 1'000'000;

lockstep::Coro<long> f(long i) { co_return i; }

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  lockstep::bench::Stopwatch watch;
  std::vector<lockstep::Task<long>> tasks;
  tasks.reserve(kN);
  for (long i = 0; i < kN; ++i) tasks.push_back(lockstep::create_task(f(i)));
  long sum = 0;
  for (long v : co_await lockstep::gather(tasks)) sum += v;
  elapsed_ns = watch.elapsed_ns();
  co_return sum;
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const long sum = lockstep::bench::run_workload("spawn", [&] { return root(elapsed_ns); });
  lockstep::bench::check("spawn", "sum=" + std::to_string(sum));
  lockstep::bench::report("spawn", kN, elapsed_ns);
}
