// How a LOCKSTEP_TEST sweep runs: which seeds, which strategy, faults, cancellation
// fuzzing, replay of a trace, where failing traces go. Read from the environment, like
// madsim's MADSIM_TEST_SEED, so one binary serves a quick local run, a nightly sweep and
// the replay of a CI failure:
//
//   LOCKSTEP_SEED=17                  run exactly seed 17
//   LOCKSTEP_SEEDS=1000 | 5..20       a count of seeds from 0, or an inclusive range
//   LOCKSTEP_STRATEGY=random          fifo | faithful | random | pct
//   LOCKSTEP_FAULTS=/abs/plan.txt     a fault plan (faults/fault_plan.h) for every seed
//                                     (absolute: bazel test runs in the runfiles dir)
//   LOCKSTEP_CANCEL=random:0.05[:any] cancellation fuzzing: off | random:P[:TARGET[@AT][:TASKS]]
//                                     (AT: suspend, wake or both)
//                                     (TARGET: task, timeout, enclosing, any; TASKS: a
//                                     name pattern, default the test's own `tasks`)
//   LOCKSTEP_REPLAY=run.trace         replay that trace instead of sweeping
//   LOCKSTEP_CHECK_DETERMINISM=1      run every seed twice and compare
//   LOCKSTEP_TRACE_DIR=dir            where failing traces go (default: Bazel's
//                                     TEST_UNDECLARED_OUTPUTS_DIR, else the temp dir)
//   LOCKSTEP_SHRINK=0                 do not shrink a failure (default: shrink)
//   LOCKSTEP_KEEP_GOING=1             run every seed even after a failure
//   LOCKSTEP_UNRETRIEVED=warn         a task's exception nobody retrieved only warns
//                                     (default: fail, naming the task and the error)
//   LOCKSTEP_ESCAPES=warn             a call that bypasses the simulation (real clock,
//                                     sleep, randomness, thread, socket) only warns; also
//                                     fail (the default), off, virtualize (sim/escape.h)
//
// LOCKSTEP_SEED wins over LOCKSTEP_SEEDS (so a BUILD file's sweep size never gets in the
// way of replaying one seed).
// Under `bazel test` (TEST_TOTAL_SHARDS set) each shard runs its share of the seeds.
// A bad value is a ConfigError naming the variable and what it accepts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/simulation.h"
#include "sim/strategy.h"

namespace lockstep {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An inclusive range of seeds.
struct SeedRange {
  std::uint64_t first = 0;
  std::uint64_t last = 99;
  std::uint64_t count() const noexcept { return last - first + 1; }
  friend bool operator==(const SeedRange&, const SeedRange&) = default;
};
// "0..99", or "17" for a single seed.
std::string to_string(const SeedRange& seeds);

// This process's part of a sharded test (Bazel's TEST_SHARD_INDEX / TEST_TOTAL_SHARDS).
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t total = 1;
  // Seed `seed` of `range` is this shard's: seeds are dealt round-robin, so each runs
  // exactly once across the shards and every shard gets a similar mix.
  bool owns(const SeedRange& range, std::uint64_t seed) const noexcept {
    return (seed - range.first) % total == index;
  }
  // How many seeds of `range` this shard runs.
  std::uint64_t share(const SeedRange& range) const noexcept;
  // Which seeds of `range` this shard runs, for logs: "0..99" unsharded; sharded
  // "1, 5, 9, ..., 97 (every 4th of 0..99)", "2 (every 4th of 0..5)", "none of 0..2".
  std::string seeds_text(const SeedRange& range) const;
};

struct TestConfig {
  std::optional<SeedRange> seeds;                // LOCKSTEP_SEED / LOCKSTEP_SEEDS; else the test's
  std::optional<Strategy> strategy;              // LOCKSTEP_STRATEGY; else the test's
  std::string faults_file;                       // LOCKSTEP_FAULTS
  std::optional<CancellationFuzzing> cancel;     // LOCKSTEP_CANCEL
  std::string cancel_spec;                       // LOCKSTEP_CANCEL as given
  std::string replay_file;                       // LOCKSTEP_REPLAY
  bool check_determinism = false;                // LOCKSTEP_CHECK_DETERMINISM
  bool shrink = true;                            // LOCKSTEP_SHRINK
  bool keep_going = false;                       // LOCKSTEP_KEEP_GOING
  std::optional<UnretrievedErrors> unretrieved;  // LOCKSTEP_UNRETRIEVED; else the test's
  std::optional<EscapeMode> escapes;             // LOCKSTEP_ESCAPES; else the test's
  std::string trace_dir;                         // LOCKSTEP_TRACE_DIR or its default
  bool trace_dir_is_bazel_outputs = false;       // Bazel zips it into outputs.zip after the test
  Shard shard;                                   // TEST_SHARD_INDEX / TEST_TOTAL_SHARDS
  std::string shard_status_file;                 // TEST_SHARD_STATUS_FILE, to touch
  std::string bazel_target;                      // TEST_TARGET, e.g. "//tests:foo"
};

// Reads the configuration through `getenv` (a variable's value, or nullopt if unset).
// Throws ConfigError for a bad value.
using Getenv = std::function<std::optional<std::string>(const char*)>;
TestConfig read_test_config(const Getenv& getenv);
// The same, from this process's environment.
TestConfig read_test_config();
std::optional<std::string> process_getenv(const char* name);
// Just the shard (TEST_SHARD_INDEX / TEST_TOTAL_SHARDS); ConfigError for bad values.
Shard read_shard(const Getenv& getenv);

// "random:0.05", "random:0.1:any", "off": the LOCKSTEP_CANCEL syntax. nullopt if bad.
std::optional<CancellationFuzzing> parse_cancel_spec(const std::string& spec);

}  // namespace lockstep
