// wait, wait_for and shield, each at the edge case it exists for.
//
//   ./bazelw run //examples:timeouts
#include <cstdio>
#include <string>
#include <vector>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

double now() { return lockstep::to_seconds(lockstep::Loop::current()->time()); }

lockstep::Coro<int> job(std::string name, lockstep::Duration d, int value) {
  bool cancelled = false;
  try {
    co_await lockstep::sleep(d);
  } catch (const lockstep::CancelledError&) {
    cancelled = true;
  }
  if (cancelled) {
    std::printf("t=%.1fs  %s: cancelled, cleaning up for 0.5s\n", now(), name.c_str());
    co_await lockstep::sleep(500ms);
    std::printf("t=%.1fs  %s: cleanup done\n", now(), name.c_str());
    throw lockstep::CancelledError();
  }
  std::printf("t=%.1fs  %s: done -> %d\n", now(), name.c_str(), value);
  co_return value;
}

lockstep::Coro<void> amain() {
  std::printf("-- wait(FIRST_COMPLETED): returns at the first result and cancels nothing\n");
  std::vector<lockstep::Task<int>> racers{lockstep::create_task(job("racer-1", 2s, 1)),
                                          lockstep::create_task(job("racer-2", 1s, 2))};
  auto [done, pending] = co_await lockstep::wait(racers, lockstep::FIRST_COMPLETED);
  std::printf("t=%.1fs  wait: %zu done (value %d), %zu still pending\n", now(), done.size(),
              done[0].result(), pending.size());
  co_await lockstep::wait(pending);  // let the other one finish too

  std::printf("-- wait_for: on timeout the inner is cancelled AND awaited before TimeoutError\n");
  try {
    co_await lockstep::wait_for(job("slow", 5s, 3), 1s);
  } catch (const lockstep::TimeoutError&) {
    std::printf("t=%.1fs  wait_for raised TimeoutError, after the inner's cleanup\n", now());
  }

  std::printf("-- shield: cancelling the waiter leaves the shielded work running\n");
  auto commit = lockstep::create_task(job("commit", 2s, 4));
  auto waiter = lockstep::create_task([](lockstep::Task<int> t) -> lockstep::Coro<int> {
    co_return co_await lockstep::shield(t);
  }(commit));
  co_await lockstep::sleep(1s);
  waiter.cancel();
  co_await lockstep::as_outcome(waiter);
  std::printf("t=%.1fs  waiter cancelled=%s, commit still running=%s\n", now(),
              waiter.cancelled() ? "yes" : "no", commit.done() ? "no" : "yes");
  // Awaited before the printf: the order in which function arguments are evaluated is
  // unspecified, and now() must be read after the await.
  const int result = co_await commit;
  std::printf("t=%.1fs  commit result %d\n", now(), result);
}

int main() { lockstep::run(amain()); }
