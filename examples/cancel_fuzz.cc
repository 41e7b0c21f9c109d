// Cancellation fuzzing finds a leak that only a badly timed cancel() causes, the shrinker
// reduces the failing run to that one cancel, and the trace replays it.
//
//   ./bazelw run //examples:cancel_fuzz                             # fuzz, shrink, save, replay
//   ./bazelw run //examples:cancel_fuzz -- replay cancel-fuzz.trace # replay a saved trace
//   ./bazelw run //examples:cancel_fuzz -- shrink some.trace        # shrink any trace of it
//   ./bazelw run //examples:cancel_fuzz -- show cancel-fuzz.trace   # every `lockstep` command
//
// The program: a pool of 3 connections shared by 4 workers. A worker acquires one, records
// the checkout (an await), and only then enters the block that gives the connection
// back. A cancel landing on that await skips the release: the pool leaks a connection,
// and the next worker to need one waits forever... or here, main's check fails.
#include "faults/cancel_fuzz.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop/lockstep.h"
#include "replay/cli.h"
#include "replay/programs.h"
#include "replay/replay_trace.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

using namespace std::chrono_literals;
using lockstep::Coro;

class Pool {
 public:
  explicit Pool(int size) : size_(size), available_(size), free_(size) {}
  Coro<int> acquire() {
    co_await free_.acquire();
    --available_;
    co_return next_id_++ % size_;
  }
  void release() {
    ++available_;
    free_.release();
  }
  int available() const { return available_; }
  int size() const { return size_; }

 private:
  int size_;
  int available_;
  lockstep::Semaphore free_;
  int next_id_ = 0;
};

Coro<void> record_checkout(int conn) {
  co_await lockstep::sleep(1ms);  // e.g. a metrics call
  (void)conn;
}

Coro<void> worker(Pool& pool, int requests) {
  for (int i = 0; i < requests; ++i) {
    const int conn = co_await pool.acquire();
    co_await record_checkout(conn);  // BUG: a cancel here never reaches the release below
    try {
      co_await lockstep::sleep(std::chrono::milliseconds(2 + lockstep::random_below(5)));
    } catch (...) {
      pool.release();
      throw;
    }
    pool.release();
  }
}

Coro<int> service() {
  Pool pool(3);
  std::vector<lockstep::Task<void>> workers;
  for (int w = 0; w < 4; ++w)
    workers.push_back(lockstep::create_task(worker(pool, 3), "worker-" + std::to_string(w)));
  co_await lockstep::gather(lockstep::return_exceptions, workers);  // cancelled ones are fine
  if (pool.available() != pool.size())
    throw std::runtime_error(
        "connection leaked: " + std::to_string(pool.size() - pool.available()) + " of " +
        std::to_string(pool.size()) + " never returned");
  co_return pool.available();
}

const char* kProgram = "examples/cancel_fuzz:service";

std::string outcome(const lockstep::SimulationResult<int>& r) {
  return r.outcome.ok() ? "ok" : "FAILED: " + lockstep::describe_exception(r.outcome.exception());
}

std::string trace_dir() {
  for (const char* var : {"BUILD_WORKING_DIRECTORY", "TEST_TMPDIR"})
    if (const char* dir = std::getenv(var)) return std::string(dir) + "/";
  return "";
}

int replay_file(const std::string& name) {
  try {
    auto r = lockstep::replay_trace(service, trace_dir() + name, kProgram);
    if (r.divergence) {
      std::printf("%s", r.divergence->report().c_str());
      return 1;
    }
    std::printf("replayed %s: %s\n", name.c_str(), outcome(r).c_str());
    return 0;
  } catch (const lockstep::TraceError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}

int main(int argc, char** argv) {
  if (argc > 1) {  // the `lockstep` tool, with this program registered
    lockstep::Programs programs;
    programs.add(kProgram, service);
    return lockstep::cli::main(argc, argv, &programs);
  }

  lockstep::SimulationOptions options;
  options.strategy.cancellation.mode = lockstep::CancellationFuzzing::Mode::kRandom;
  options.strategy.cancellation.probability = 0.05;
  options.strategy.cancellation.tasks = "worker-*";

  std::printf("-- random: a cancel at each await of worker-* with probability 5%%\n");
  std::uint64_t failing_seed = 0;
  auto sweep = lockstep::simulate_seeds(
      service, 0, 200, options, [](const auto&) {}, /*stop_at_first_failure=*/true);
  if (sweep.failing_seeds.empty()) {
    std::printf("no failure in %llu seeds\n", static_cast<unsigned long long>(sweep.runs));
    return 1;
  }
  failing_seed = sweep.failing_seeds.front();
  options.seed = failing_seed;
  const std::string failing_name = "cancel-fuzz-failing.trace";
  auto failing = lockstep::record_trace(service, options, trace_dir() + failing_name, kProgram);
  std::printf("seed %llu fails after %llu runs: %s\n",
              static_cast<unsigned long long>(failing_seed),
              static_cast<unsigned long long>(sweep.runs), outcome(failing).c_str());

  std::printf("-- exhaustive: a cancel at exactly the k-th await of worker-*, seed 0\n");
  lockstep::SimulationOptions each = options;
  each.seed = 0;
  auto awaits = lockstep::cancel_at_each_await(service, each, [](std::uint64_t, const auto&) {});
  std::printf("%zu of %llu awaits break the pool:", awaits.failing.size(),
              static_cast<unsigned long long>(awaits.awaits));
  for (std::uint64_t k : awaits.failing) std::printf(" #%llu", static_cast<unsigned long long>(k));
  std::printf("\n");

  std::printf("-- shrinking seed %llu's failing run\n",
              static_cast<unsigned long long>(failing_seed));
  auto small = lockstep::shrink(service, failing.decisions, options);
  std::printf("%s", small.summary.c_str());
  std::printf("(%llu candidate runs)\n", static_cast<unsigned long long>(small.runs));

  const std::string name = "cancel-fuzz.trace";
  lockstep::save_trace(service, small.run.decisions, options, trace_dir() + name, kProgram);
  std::printf("-- saved the shrunk run: %s; replaying it\n", name.c_str());
  if (replay_file(name) != 0) return 1;
  std::printf("-- by hand:\n  ./bazelw run //examples:cancel_fuzz -- replay %s\n", name.c_str());
  std::printf("  ./bazelw run //examples:cancel_fuzz -- shrink %s\n", failing_name.c_str());
  std::printf("  ./bazelw run //examples:cancel_fuzz -- show %s\n", name.c_str());
  return 0;
}
