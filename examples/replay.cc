// Find a failing seed, save its trace, replay it to the same failure.
//
//   ./bazelw run //examples:replay                         # search, save, replay
//   ./bazelw run //examples:replay -- replay-example.trace # replay a saved trace
//
// The program under test has a check-then-act race across an await: two withdrawals
// check the balance, wait for a (simulated) ledger write, then subtract. When they
// overlap, both pass the check and the account is overdrawn. Whether they overlap
// depends on when each starts: a decision of the simulation, so some seeds fail.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "sim/simulation.h"

using namespace std::chrono_literals;

int balance = 0;

// Delays shaped like real ones (sim/random.h), each a recorded decision that shrinks
// toward its minimum: requests arrive log-uniformly over 1ms..1s (as likely within 10ms as
// around half a second), and a ledger write usually takes ~2ms but now and then far more.
lockstep::Coro<void> withdraw(int amount) {
  co_await lockstep::sleep(lockstep::random_log_uniform(1ms, 1s));      // when the request arrives
  if (balance < amount) co_return;                                      // refused
  co_await lockstep::sleep(lockstep::random_heavy_tailed(2ms, 500ms));  // the ledger write
  balance -= amount;
  lockstep::log("withdrew " + std::to_string(amount) + ", balance " + std::to_string(balance));
}

lockstep::Coro<int> bank() {
  balance = 100;
  co_await lockstep::gather(withdraw(80), withdraw(80));
  if (balance < 0) throw std::runtime_error("overdraft: balance is " + std::to_string(balance));
  co_return balance;
}

std::string outcome(const lockstep::SimulationResult<int>& r) {
  return r.outcome.ok() ? "ok, balance " + std::to_string(r.outcome.value())
                        : "FAILED: " + lockstep::describe_exception(r.outcome.exception());
}

// Where traces go: the directory `bazel run` was started from, else the test's temporary
// directory, else here. Printed paths are relative to it.
std::string trace_dir() {
  for (const char* var : {"BUILD_WORKING_DIRECTORY", "TEST_TMPDIR"})
    if (const char* dir = std::getenv(var)) return std::string(dir) + "/";
  return "";
}

int replay_file(const std::string& name) {
  try {
    auto r = lockstep::replay_trace(bank, trace_dir() + name, "examples/replay:bank");
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
  if (argc > 1) return replay_file(argv[1]);

  const std::string name = "replay-example.trace";
  std::printf("-- searching seeds for a failure (faithful strategy)\n");
  int passed = 0;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    lockstep::SimulationOptions options;
    options.seed = seed;
    auto run = lockstep::record_trace(bank, options, trace_dir() + name, "examples/replay:bank");
    if (run.outcome.ok()) {
      ++passed;
      continue;
    }
    std::printf("%d seeds passed; seed %llu %s\n", passed, static_cast<unsigned long long>(seed),
                outcome(run).c_str());
    std::printf("saved the trace: %s (%zu decisions)\n", name.c_str(), run.decisions.size());
    std::printf("-- replaying the trace\n");
    if (replay_file(name) != 0) return 1;
    std::printf("-- to replay it by hand:\n");
    std::printf("  ./bazelw run //examples:replay -- %s\n", name.c_str());
    std::printf("  ./bazelw run //replay:lockstep -- show %s\n", name.c_str());
    return 0;
  }
  std::printf("no failure in %d seeds\n", passed);
  return 1;
}
