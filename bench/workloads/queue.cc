// W5 queue: one op = one item put + get through a bounded Queue (asyncio.Queue).
// One queue of maxsize 100; 10 producers (created first) put p*100000 + i for
// i < 100,000, then 10 consumers each get exactly 100,000 items. A blocked putter or
// getter is woken and re-checks, as in asyncio. The root gathers the producers, then
// the consumers, and sums what the consumers got.
#include <vector>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr int kProducers = 10;
constexpr int kConsumers = 10;
constexpr long kPerTask = 100'000;

lockstep::Coro<void> producer(lockstep::Queue<long>& q, long p) {
  const long base = p * kPerTask;
  for (long i = 0; i < kPerTask; ++i) co_await q.put(base + i);
}

lockstep::Coro<long> consumer(lockstep::Queue<long>& q) {
  long total = 0;
  for (long i = 0; i < kPerTask; ++i) total += co_await q.get();
  co_return total;
}

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  lockstep::bench::Stopwatch watch;
  lockstep::Queue<long> q(100);
  std::vector<lockstep::Task<void>> producers;
  std::vector<lockstep::Task<long>> consumers;
  for (long p = 0; p < kProducers; ++p) producers.push_back(lockstep::create_task(producer(q, p)));
  for (int c = 0; c < kConsumers; ++c) consumers.push_back(lockstep::create_task(consumer(q)));
  co_await lockstep::gather(producers);
  long sum = 0;
  for (long v : co_await lockstep::gather(consumers)) sum += v;
  elapsed_ns = watch.elapsed_ns();
  co_return sum;
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const long sum = lockstep::bench::run_workload("queue", [&] { return root(elapsed_ns); });
  lockstep::bench::check("queue", "sum=" + std::to_string(sum));
  lockstep::bench::report("queue", static_cast<std::int64_t>(kProducers) * kPerTask, elapsed_ns);
}
