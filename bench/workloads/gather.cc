// gather: one op = one child of a gather (done callback, completion, result collected).
// 100,000 tasks each yield once and return i; they are created and parked first, then
// (timed) gathered by the root. check sum=4999950000.
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kN = 100'000;

lockstep::Coro<long> child(long i) {
  co_await lockstep::sleep(lockstep::Duration::zero());
  co_return i;
}

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  std::vector<lockstep::Task<long>> tasks;
  tasks.reserve(kN);
  for (long i = 0; i < kN; ++i) tasks.push_back(lockstep::create_task(child(i)));
  co_await lockstep::sleep(lockstep::Duration::zero());  // every child parks at its yield
  lockstep::bench::Stopwatch watch;
  long sum = 0;
  for (long v : co_await lockstep::gather(tasks)) sum += v;
  elapsed_ns = watch.elapsed_ns();
  co_return sum;
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const long sum = lockstep::bench::run_workload("gather", [&] { return root(elapsed_ns); });
  lockstep::bench::check("gather", "sum=" + std::to_string(sum));
  lockstep::bench::report("gather", kN, elapsed_ns);
}
