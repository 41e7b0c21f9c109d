// The program tests/replay/gdb_test.sh stops in gdb: a producer and a consumer over a
// Queue on a virtual clock, with one decision asked for by a named function
// (pick_batch_size) to break at.
//
//   debug_target record run.trace              // seed 3, program 'debug_target'
//   debug_target show run.trace                // any lockstep command, replay included:
//   gdb --args debug_target replay run.trace --break-at=d5
#include <cstdio>
#include <string>

#include "loop/lockstep.h"
#include "replay/cli.h"
#include "replay/replay_trace.h"
#include "sim/simulation.h"

using namespace std::chrono_literals;

namespace {

// The decision to break at: the stack under the stop shows this function and the
// producer's coroutine that called it.
[[gnu::noinline]] int pick_batch_size() {
  return 1 + static_cast<int>(lockstep::random_below(4));
}

lockstep::Coro<void> producer(lockstep::Queue<int>& q) {
  for (int round = 0; round < 3; ++round) {
    const int n = pick_batch_size();
    co_await lockstep::sleep(10ms);
    for (int i = 0; i < n; ++i) co_await q.put(round * 10 + i);
  }
  co_await q.put(-1);  // the end
}

lockstep::Coro<int> consumer(lockstep::Queue<int>& q) {
  int total = 0;
  for (;;) {
    const int item = co_await q.get();
    if (item < 0) co_return total;
    total += item;
    lockstep::log("consumed " + std::to_string(item));
  }
}

lockstep::Coro<int> debug_target() {
  lockstep::Queue<int> q(2);
  auto c = lockstep::create_task(consumer(q), "consumer");
  auto p = lockstep::create_task(producer(q), "producer");
  co_await p;
  co_return co_await c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "record") {
    lockstep::SimulationOptions options;
    options.seed = 3;
    auto run = lockstep::record_trace(debug_target, options, argv[2], "debug_target");
    std::printf("recorded %s: %s, %zu decisions\n", argv[2], run.outcome.ok() ? "ok" : "FAILED",
                run.decisions.size());
    return run.outcome.ok() ? 0 : 1;
  }
  lockstep::Programs programs;
  programs.add("debug_target", debug_target);
  return lockstep::cli::main(argc, argv, &programs);
}
