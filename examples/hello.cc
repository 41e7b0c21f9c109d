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
//       ...
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
  std::printf("t=%.3fs  %s\n", lockstep::to_seconds(lockstep::now()), what.c_str());
}

lockstep::Coro<void> amain() {
  std::printf("t=%.3fs  started\n", lockstep::to_seconds(lockstep::now()));  // loop.time()
  co_await say_after(1s, "hello");  // runs inline: like `await say_after(1, "hello")`
  co_await say_after(2s, "world");

  // Two tasks run concurrently: both finish after 2s, not 1s + 2s.
  auto a = lockstep::create_task(say_after(1s, "concurrent hello"), "a");
  auto b = lockstep::create_task(say_after(2s, "concurrent world"), "b");
  co_await a;
  co_await b;

  // Deadlines: wait_for cancels what it waits for when time is up.
  try {
    co_await lockstep::wait_for(say_after(10s, "never printed"), 500ms);
  } catch (const lockstep::TimeoutError&) {
    std::printf("t=%.3fs  gave up waiting after 500ms\n", lockstep::to_seconds(lockstep::now()));
  }
  // A timeout scope (`async with asyncio.timeout(2):`) around any piece of a task.
  auto scope = lockstep::timeout(2s);
  co_await scope.run(say_after(1s, "in time"));
  std::printf("t=%.3fs  finished (virtual time; no real time passed)\n",
              lockstep::to_seconds(lockstep::now()));
}

int main() { lockstep::run(amain()); }
