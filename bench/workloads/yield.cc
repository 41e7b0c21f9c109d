// W2 yield: one op = one sleep(0), a context switch through the ready queue.
// 1,000 tasks each yield 1,000 times; the root gathers them.
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kTasks = 1'000;
constexpr int kYields = 1'000;

lockstep::Coro<long> yielder() {
  for (int i = 0; i < kYields; ++i) co_await lockstep::sleep(lockstep::Duration::zero());
  co_return kYields;
}

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  lockstep::bench::Stopwatch watch;
  std::vector<lockstep::Task<long>> tasks;
  tasks.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) tasks.push_back(lockstep::create_task(yielder()));
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
  lockstep::bench::report("yield", static_cast<std::int64_t>(kTasks) * kYields, elapsed_ns);
}
