// The asyncio hello world, in lockstep: a coroutine that awaits another and prints.
//
//   ./bazelw run //examples:hello
//
// Python:
//   async def say_after(delay, what):
//       await asyncio.sleep(delay)
//       print(what)
//   async def main():
//       print(f"started at {loop.time()}")
//       await say_after(1, "hello")
//       await say_after(2, "world")
//       print(f"finished at {loop.time()}")
//   asyncio.run(main())
//
// It takes 3 seconds of virtual time and no real time at all.
#include <cstdio>
#include <string>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

lockstep::Coro<void> say_after(lockstep::Duration delay, std::string what) {
  co_await lockstep::sleep(delay);
  std::printf("t=%.3fs  %s\n", lockstep::to_seconds(lockstep::Loop::current()->time()),
              what.c_str());
}

lockstep::Coro<void> amain() {
  lockstep::Loop& loop = *lockstep::Loop::current();
  std::printf("t=%.3fs  started\n", lockstep::to_seconds(loop.time()));
  co_await say_after(1s, "hello");  // runs inline: like `await say_after(1, "hello")`
  co_await say_after(2s, "world");

  // Two tasks run concurrently: both finish after 2s, not 1s + 2s.
  auto a = lockstep::create_task(say_after(1s, "concurrent hello"), "a");
  auto b = lockstep::create_task(say_after(2s, "concurrent world"), "b");
  co_await a;
  co_await b;
  std::printf("t=%.3fs  finished (virtual time; no real time passed)\n",
              lockstep::to_seconds(loop.time()));
}

int main() { lockstep::run(amain()); }
