// lockstep::run(main): asyncio.run() for lockstep.
//
//   lockstep::Coro<int> amain() { co_await lockstep::sleep(1s); co_return 7; }
//   int main() { return lockstep::run(amain()); }
//
// Creates a fresh loop, runs `main` as a task until it completes, then - whether it
// returned or threw - cancels every task still pending (creation order) and runs the loop
// until they have all finished, reports any of them that failed with something other than
// a cancellation ("unhandled exception during asyncio.run() shutdown"), closes the loop,
// and returns main's result or rethrows its exception.
//
// On a driver with real I/O (EpollDriver), run on the main thread, SIGINT and SIGTERM
// are asyncio.run's Ctrl-C: the first cancels main (its cleanup runs), and if main ends
// cancelled run() throws KeyboardInterrupt; a second signal while main cleans up stops
// the run at once (the shutdown still cancels and drains every task) with the same
// error. The previous dispositions are back before the shutdown begins.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "loop/coro.h"
#include "loop/internal/interrupts.h"
#include "loop/loop.h"
#include "loop/task.h"

namespace lockstep {

struct RunOptions : LoopOptions {
  // Name of the task that runs main; empty: asyncio's default, "Task-1".
  std::string main_task_name;
  // Called with the loop before main's task is created, and after the shutdown, just
  // before the loop closes (e.g. to attach a simulation to it and read its step count).
  std::function<void(Loop&)> on_start;
  std::function<void(Loop&)> on_finish;
  // On a driver with fds, on the main thread: SIGINT and SIGTERM cancel main, as Ctrl-C
  // does under asyncio.run (see above). Only over the default dispositions.
  bool handle_signals = true;
};

namespace internal {
// asyncio.runners._cancel_all_tasks, then the two shutdown steps of Runner.close().
void shut_down(Loop& loop) noexcept;
}  // namespace internal

template <class T>
T run(Coro<T> main, RunOptions options = {}) {
  Loop loop(static_cast<LoopOptions&&>(options));
  if (options.on_start) options.on_start(loop);
  Task<T> task = loop.create_task(std::move(main), std::move(options.main_task_name));
  std::exception_ptr failure;
  internal::MainInterrupts interrupts(loop, task, options.handle_signals);
  try {
    loop.run_until_complete(Future<T>(task));
  } catch (...) {
    failure = std::current_exception();
  }
  interrupts.restore();
  failure = interrupts.outcome(std::move(failure));
  internal::shut_down(loop);
  if (options.on_finish) options.on_finish(loop);
  loop.close();
  if (failure) std::rethrow_exception(failure);
  if constexpr (std::is_void_v<T>) {
    task.result();
  } else {
    T value = task.result();
    task = Task<T>();  // the handle must go before the loop does
    return value;
  }
}

}  // namespace lockstep
