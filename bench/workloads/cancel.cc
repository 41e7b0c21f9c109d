// W6 cancel: one op = one cancellation (cancel + unwind + join).
// 100,000 tasks park on their own never-set future; timed from there: cancel them all
// and gather them with return_exceptions.
#include <cstdio>
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kN = 100'000;

lockstep::Coro<void> parked(lockstep::Future<void> fut) { co_await fut; }

struct Result {
  long cancelled;
  std::int64_t setup_ns;
};

lockstep::Coro<Result> root(std::int64_t& elapsed_ns) {
  lockstep::Loop& loop = *lockstep::Loop::current();
  lockstep::bench::Stopwatch setup;
  std::vector<lockstep::Task<void>> tasks;
  tasks.reserve(kN);
  for (int i = 0; i < kN; ++i) tasks.push_back(lockstep::create_task(parked(loop.create_future())));
  co_await lockstep::sleep(lockstep::Duration::zero());  // every task parks on its future
  const std::int64_t setup_ns = setup.elapsed_ns();
  lockstep::bench::Stopwatch watch;
  for (auto& t : tasks) t.cancel();
  long cancelled = 0;
  for (const auto& r : co_await lockstep::gather(lockstep::return_exceptions, tasks))
    if (r.cancelled()) ++cancelled;
  elapsed_ns = watch.elapsed_ns();
  co_return Result{cancelled, setup_ns};
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const Result r = lockstep::bench::run_workload("cancel", [&] { return root(elapsed_ns); });
  char setup[64];
  std::snprintf(setup, sizeof setup, "%.1f", static_cast<double>(r.setup_ns) / kN);
  lockstep::bench::check(
      "cancel", "cancelled=" + std::to_string(r.cancelled) + " setup_ns_per_task=" + setup);
  lockstep::bench::report("cancel", kN, elapsed_ns);
}
