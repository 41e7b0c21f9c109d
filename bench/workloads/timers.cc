// W3 timers: one op = one timer event (arm + fire + resume).
// 10,000 tasks each sleep 100 times for d ms of virtual time, d from a per-task LCG.
#include <cstdint>
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kTasks = 10'000;
constexpr int kSleeps = 100;

lockstep::Coro<long> sleeper(std::uint32_t task_id) {
  std::uint32_t x = 0x5EED1234u ^ static_cast<std::uint32_t>(task_id * 2654435761u);
  long total_ms = 0;
  for (int i = 0; i < kSleeps; ++i) {
    x = 1664525u * x + 1013904223u;
    const int d_ms = static_cast<int>((x >> 16) % 1000) + 1;
    total_ms += d_ms;
    co_await lockstep::sleep(std::chrono::milliseconds(d_ms));
  }
  co_return total_ms;
}

struct Result {
  long sum_ms;
  long vtime_end_ms;
};

lockstep::Coro<Result> root(std::int64_t& elapsed_ns) {
  lockstep::bench::Stopwatch watch;
  std::vector<lockstep::Task<long>> tasks;
  tasks.reserve(kTasks);
  for (std::uint32_t i = 0; i < kTasks; ++i) tasks.push_back(lockstep::create_task(sleeper(i)));
  long sum_ms = 0;
  for (long v : co_await lockstep::gather(tasks)) sum_ms += v;
  elapsed_ns = watch.elapsed_ns();
  const auto end = lockstep::Loop::current()->time().time_since_epoch();
  co_return Result{sum_ms,
                   static_cast<long>(std::chrono::round<std::chrono::milliseconds>(end).count())};
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const Result r = lockstep::bench::run_workload("timers", [&] { return root(elapsed_ns); });
  lockstep::bench::check("timers", "sum_ms=" + std::to_string(r.sum_ms) +
                                       " vtime_end_ms=" + std::to_string(r.vtime_end_ms));
  lockstep::bench::report("timers", static_cast<std::int64_t>(kTasks) * kSleeps, elapsed_ns);
}
