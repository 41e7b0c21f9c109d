// W4 pingpong: one op = one message (one future set + one await wakeup).
// Two tasks make 500,000 round trips over a fresh pair of futures each round.
#include <optional>

#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

namespace {

constexpr long kRoundTrips = 500'000;

struct Channel {
  std::optional<lockstep::Future<long>> req;    // set by ping, awaited by pong
  std::optional<lockstep::Future<long>> reply;  // set by pong, awaited by ping
};

lockstep::Coro<void> pong(Channel& chan) {
  lockstep::Loop& loop = *lockstep::Loop::current();
  for (long i = 0; i < kRoundTrips; ++i) {
    chan.req = loop.create_future<long>();
    const long v = co_await *chan.req;
    chan.reply->set_result(v + 1);
  }
}

lockstep::Coro<long> ping(Channel& chan) {
  lockstep::Loop& loop = *lockstep::Loop::current();
  long acc = 0;
  for (long i = 0; i < kRoundTrips; ++i) {
    chan.reply = loop.create_future<long>();
    chan.req->set_result(i);
    acc += co_await *chan.reply;
  }
  co_return acc;
}

lockstep::Coro<long> root(std::int64_t& elapsed_ns) {
  Channel chan;
  lockstep::bench::Stopwatch watch;
  auto ponger = lockstep::create_task(pong(chan));
  auto pinger = lockstep::create_task(ping(chan));
  const long acc = co_await pinger;
  co_await ponger;
  elapsed_ns = watch.elapsed_ns();
  chan = {};
  co_return acc;
}

}  // namespace

int main() {
  std::int64_t elapsed_ns = 0;
  const long acc = lockstep::bench::run_workload("pingpong", [&] { return root(elapsed_ns); });
  lockstep::bench::check("pingpong", "acc=" + std::to_string(acc));
  lockstep::bench::report("pingpong", 2 * kRoundTrips, elapsed_ns);
}
