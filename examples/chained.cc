// Chained coroutines: coroutines awaiting coroutines (the "chain of coroutines" from the
// asyncio docs). `co_await compute(x, y)` runs compute inline, in the caller's task;
// only create_task makes something run concurrently.
//
//   ./bazelw run //examples:chained
#include <cstdio>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

double now() { return lockstep::to_seconds(lockstep::Loop::current()->time()); }

lockstep::Coro<int> compute(int x, int y) {
  std::printf("t=%.1fs  compute %d + %d ...\n", now(), x, y);
  co_await lockstep::sleep(1s);  // pretend this is slow I/O
  co_return x + y;
}

lockstep::Coro<void> print_sum(int x, int y) {
  int result = co_await compute(x, y);
  std::printf("t=%.1fs  %d + %d = %d\n", now(), x, y, result);
}

lockstep::Coro<int> fib(int n) {
  // A chain 20 coroutines deep, each awaiting the next: no loop iterations, no time.
  if (n < 2) co_return n;
  co_return co_await fib(n - 1) + co_await fib(n - 2);
}

lockstep::Coro<void> amain() {
  co_await print_sum(1, 2);  // t=1: one chain, one after the other
  co_await print_sum(3, 4);  // t=2

  // Two chains as concurrent tasks: both done at t=3, not t=4.
  auto a = lockstep::create_task(print_sum(5, 6), "sum-a");
  auto b = lockstep::create_task(print_sum(7, 8), "sum-b");
  co_await a;
  co_await b;

  std::printf("t=%.1fs  fib(20) = %d, computed by nested coroutines without a single loop step\n",
              now(), co_await fib(20));
}

int main() { lockstep::run(amain()); }
