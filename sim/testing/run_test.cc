// The sweep behind LOCKSTEP_TEST: seeds, shards, progress, and a failure reported once
// with its trace, its shrunk trace and the command that replays it.
#include <gtest/gtest-spi.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>

#include "loop/gather.h"
#include "loop/task.h"
#include "replay/progress.h"
#include "replay/replay_trace.h"
#include "sim/shrink.h"
#include "sim/simulation.h"
#include "sim/testing/config.h"
#include "sim/testing/crash_report.h"
#include "sim/testing/lockstep_test.h"

namespace lockstep::internal {

namespace {

using Clock = std::chrono::steady_clock;

std::set<std::string>& lockstep_tests() {
  static std::set<std::string> names;
  return names;
}

bool seed_sharding = false;  // set by //sim/testing:main, which stops gtest sharding tests

// LOCKSTEP_REPLAY: how many tests replayed the trace.
int replays_run = 0;

// Failures recorded by the runs of a sweep. They are intercepted, so that only those of
// the reported run reach gtest (shrinking alone may fail a thousand candidate runs).
struct RunFailures {
  ::testing::TestPartResultArray parts;
  int first_of_run = 0;  // index of the current run's first part
};
thread_local RunFailures* current_failures = nullptr;

// While alive: gtest failures go to `failures`, not to the test; those of executor
// threads too (under virtual time the loop waits while a job runs, so they do not race).
class Intercepting {
 public:
  explicit Intercepting(RunFailures& failures)
      : reporter_(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS,
                  &failures.parts) {
    current_failures = &failures;
  }
  ~Intercepting() { current_failures = nullptr; }
  Intercepting(const Intercepting&) = delete;
  Intercepting& operator=(const Intercepting&) = delete;

 private:
  ::testing::ScopedFakeTestPartResultReporter reporter_;
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// "file:line: " and the failure's lines joined into one: "Expected equality of these
// values: counter Which is: 1 2 an update was lost".
std::string part_text(const ::testing::TestPartResult& p) {
  std::string text;
  if (p.file_name())
    text = std::string(p.file_name()) + ":" + std::to_string(p.line_number()) + ": ";
  bool space = false;
  for (const char c : std::string(p.summary())) {
    if (c == '\n' || c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !text.empty() && text.back() != ' ') text += ' ';
    space = false;
    text += c;
  }
  return text;
}

// What a failed run raised, in one line; a failed assertion as gtest says it.
std::string failure_text(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const TestFailure& f) {
    return f.what();
  } catch (...) {
  }
  return first_line(describe_exception(e));
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out.precision(s < 10 ? 2 : 0);
  out << std::fixed << s << "s";
  return out.str();
}

// A run's body skipped itself (CO_SKIP, GTEST_SKIP in a fixture's SetUp): the sweep is
// skipped with its message.
class RunSkipped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "'a b'" for a shell command, "plain" as it is.
std::string shell_quoted(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                       "OPQRSTUVWXYZ0123456789_./:=,-@%+") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The outcome of one seed that failed.
struct SeedFailure {
  std::uint64_t seed = 0;
  std::string failure;      // the first line of what it raised
  std::string determinism;  // non-empty: it was not deterministic, and this says how
  std::vector<Decision> decisions;
  std::vector<::testing::TestPartResult> parts;  // gtest failures it recorded
};

}  // namespace

std::string build_configs() {
  std::string configs;
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  constexpr bool kAsan = true;
#else
  constexpr bool kAsan = false;
#endif
#else
  constexpr bool kAsan = false;
#endif
  if (kAsan) configs += " --config=asan";
#if defined(__clang__)
  configs += " --config=clang";
#endif
  return configs;
}

namespace {

// The shell command that reruns this test with `env` set, built the way this binary was
// (a crash under ASan must be rerun under ASan to reproduce).
std::string rerun_command(const TestConfig& config, const std::string& full_name,
                          const std::string& env) {
  if (!config.bazel_target.empty())
    return env + " ./bazelw test" + build_configs() + " " + config.bazel_target +
           " --test_filter=" + full_name +
           // A replayed trace is named by its path: Bazel must not answer from its cache.
           (env.rfind("LOCKSTEP_REPLAY=", 0) == 0 ? " --nocache_test_results" : "");
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return env + " " + (ec ? std::string("<this test binary>") : shell_quoted(self.string())) +
         " --gtest_filter=" + full_name;
}

// Where Bazel leaves the zip of TEST_UNDECLARED_OUTPUTS_DIR after the test, relative to
// the workspace: bazel-testlogs/<package>/<target>[/shard_i_of_n]/test.outputs/outputs.zip.
std::string bazel_outputs_zip(const std::string& outputs_dir) {
  const std::string marker = "/testlogs/";
  const std::size_t at = outputs_dir.rfind(marker);
  if (at == std::string::npos) return outputs_dir + "/outputs.zip";
  return "bazel-testlogs/" + outputs_dir.substr(at + marker.size()) + "/outputs.zip";
}

// The settings of this sweep that came from the environment but the seed, each with a
// leading space: " LOCKSTEP_STRATEGY=random LOCKSTEP_CHECK_DETERMINISM=1".
std::string env_settings(const TestConfig& config, bool determinism) {
  std::string env;
  if (config.strategy) env += std::string(" LOCKSTEP_STRATEGY=") + to_string(*config.strategy);
  if (!config.cancel_spec.empty()) env += " LOCKSTEP_CANCEL=" + shell_quoted(config.cancel_spec);
  if (!config.faults_file.empty()) env += " LOCKSTEP_FAULTS=" + shell_quoted(config.faults_file);
  if (config.unretrieved)
    env += std::string(" LOCKSTEP_UNRETRIEVED=") +
           (*config.unretrieved == UnretrievedErrors::kWarn ? "warn" : "fail");
  if (config.escapes) env += std::string(" LOCKSTEP_ESCAPES=") + to_string(*config.escapes);
  if (determinism) env += " LOCKSTEP_CHECK_DETERMINISM=1";
  return env;
}

// Sends intercepted failures on to gtest, as they were recorded.
void report_parts(const std::vector<::testing::TestPartResult>& parts) {
  for (const auto& p : parts)
    ::testing::internal::AssertHelper(p.type(), p.file_name(), p.line_number(), p.message()) =
        ::testing::Message();
}

// The options of a sweep: the test's, overridden by the environment's.
SimulationOptions sweep_options(const TestOptions& test, const TestConfig& config) {
  SimulationOptions o;
  o.strategy.kind = config.strategy.value_or(test.strategy);
  o.unretrieved_errors = config.unretrieved.value_or(test.unretrieved_errors);
  o.escapes = config.escapes.value_or(test.escapes);
  o.allow_escapes = test.allow_escapes;
  o.strategy.cancellation = test.cancellation;
  if (config.cancel) {
    // The environment sets how often and what; which tasks stay the test's unless it says.
    CancellationFuzzing& c = o.strategy.cancellation;
    c.mode = config.cancel->mode;
    c.probability = config.cancel->probability;
    c.target = config.cancel->target;
    c.at = config.cancel->at;
    if (!config.cancel->tasks.empty()) c.tasks = config.cancel->tasks;
  }
  if (!config.faults_file.empty()) {
    try {
      o.faults = make_injector(load_fault_plan(config.faults_file));
    } catch (const std::exception& e) {
      throw ConfigError("LOCKSTEP_FAULTS='" + config.faults_file + "': " + e.what());
    }
  } else if (test.faults) {
    o.faults = make_injector(*test.faults);
  }
  return o;
}

}  // namespace

bool register_lockstep_test(const char* suite, const char* name) {
  lockstep_tests().insert(std::string(suite) + "." + name);
  return true;
}

bool is_lockstep_test(const std::string& suite, const std::string& name) {
  return lockstep_tests().count(suite + "." + name) != 0;
}

void enable_seed_sharding() { seed_sharding = true; }

std::optional<std::string> unreplayed_trace() {
  const TestConfig config = read_test_config();  // main() calls this only if it reads
  if (config.replay_file.empty() || replays_run > 0) return std::nullopt;
  if (seed_sharding && config.shard.index != 0) return std::nullopt;  // shard 0 replays
  Trace trace;
  try {
    trace = read_trace(config.replay_file, TraceParts::kDecisionsOnly);
  } catch (const std::exception& e) {
    return "lockstep: LOCKSTEP_REPLAY: " + std::string(e.what());
  }
  // `LOCKSTEP_REPLAY=... bazel test //...`: the other targets' tests are not meant.
  const auto target = trace.info.labels.find("bazel_target");
  if (!config.bazel_target.empty() && target != trace.info.labels.end() &&
      target->second != config.bazel_target)
    return std::nullopt;
  return "lockstep: LOCKSTEP_REPLAY='" + config.replay_file +
         "': no LOCKSTEP_TEST of this run replayed it (it is a trace of '" +
         printable(trace.info.program) + "': is the test filter or the target right?)";
}

namespace {
// Whether a gtest result of the current run (of the test, outside a sweep) has `property`.
bool current_run_has(bool (::testing::TestPartResult::*property)() const) {
  if (!current_failures) return false;
  const auto& parts = current_failures->parts;
  for (int i = current_failures->first_of_run; i < parts.size(); ++i)
    if ((parts.GetTestPartResult(i).*property)()) return true;
  return false;
}
}  // namespace

bool current_run_has_fatal_failure() {
  return current_failures ? current_run_has(&::testing::TestPartResult::fatally_failed)
                          : ::testing::Test::HasFatalFailure();
}

bool current_run_skipped() {
  return current_failures ? current_run_has(&::testing::TestPartResult::skipped)
                          : ::testing::Test::IsSkipped();
}

Coro<void> settle_other_tasks() {
  const std::uint64_t self = current_task().id();
  // Cancelled tasks may start others while they unwind: a few rounds, then the loop's own
  // shutdown takes what is left.
  for (int round = 0; round < 8; ++round) {
    std::vector<Future<void>> others;
    for (AnyTask& t : all_tasks()) {
      if (t.id() == self || t.done()) continue;
      t.cancel();
      // A view of the task that is only waited for, never asked for a value.
      others.emplace_back(Ref<FutureBase>(t.base()));
    }
    if (others.empty()) co_return;
    co_await gather(return_exceptions, others);
  }
}

void run_lockstep_test(const LockstepTestCase& test, const std::function<Coro<void>()>& make_run) {
  const std::string full_name = test.suite + "." + test.name;
  TestConfig config;
  SimulationOptions options;
  try {
    config = read_test_config();
    options = sweep_options(test.options, config);
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(test.file, test.line) << "lockstep: " << e.what();
    return;
  }
  if (!seed_sharding) config.shard = {};  // gtest shards the tests: each runs every seed

  RunFailures failures;
  // The program one run executes: the body, then a failure if it recorded one.
  auto program = [&make_run, &failures]() -> Coro<void> {
    failures.first_of_run = failures.parts.size();
    co_await make_run();
    const ::testing::TestPartResult* skip = nullptr;
    for (int i = failures.first_of_run; i < failures.parts.size(); ++i) {
      const ::testing::TestPartResult& p = failures.parts.GetTestPartResult(i);
      if (p.failed()) throw TestFailure(part_text(p));
      if (p.skipped() && !skip) skip = &p;
    }
    if (skip) throw RunSkipped(skip->message());
  };
  // What a finished run was: skipped (and why), or not.
  auto skipped = [](const auto& run) -> std::optional<std::string> {
    if (run.outcome.ok()) return std::nullopt;
    try {
      std::rethrow_exception(run.outcome.exception());
    } catch (const RunSkipped& e) {
      return std::string(e.what());
    } catch (...) {
    }
    return std::nullopt;
  };
  auto parts_since = [&failures](int from) {
    std::vector<::testing::TestPartResult> out;
    for (int i = from; i < failures.parts.size(); ++i)
      if (failures.parts.GetTestPartResult(i).failed())
        out.push_back(failures.parts.GetTestPartResult(i));
    return out;
  };

  if (!config.replay_file.empty()) {
    if (seed_sharding && config.shard.index != 0)
      GTEST_SKIP() << "LOCKSTEP_REPLAY: replayed on shard 1 of " << config.shard.total;
    ::testing::Test::RecordProperty("lockstep_replay", config.replay_file);
    Trace trace;
    SimulationOptions replay_options;
    try {
      trace = read_trace(config.replay_file, TraceParts::kDecisionsOnly);
      replay_options = trace.simulation_options();
      replay_options.unretrieved_errors = options.unretrieved_errors;
      replay_options.escapes = options.escapes;
      replay_options.allow_escapes = options.allow_escapes;
    } catch (const std::exception& e) {
      const bool relative = !std::filesystem::path(config.replay_file).is_absolute();
      ADD_FAILURE_AT(test.file, test.line)
          << "lockstep: LOCKSTEP_REPLAY: " << e.what()
          << (relative && std::getenv("TEST_SRCDIR")
                  ? " (under bazel test a relative path is taken from the test's runfiles "
                    "directory: give an absolute path)"
                  : "");
      return;
    }
    if (trace.info.program != full_name)
      GTEST_SKIP() << "LOCKSTEP_REPLAY='" << config.replay_file << "' is a trace of '"
                   << printable(trace.info.program) << "'";
    ++replays_run;
    std::optional<SimulationResult<void>> run;
    std::vector<::testing::TestPartResult> parts;
    {
      Intercepting intercept(failures);
      run = replay(program, trace.decisions, replay_options);
      parts = parts_since(0);
    }
    note_schedule_mismatch(*run, trace);
    if (const auto why = skipped(*run)) GTEST_SKIP() << *why;
    if (run->divergence) {
      ADD_FAILURE_AT(test.file, test.line)
          << "lockstep: " << full_name << " no longer makes the decisions recorded in "
          << config.replay_file << " (the code changed since?)\n"
          << run->divergence->report();
      return;
    }
    if (run->outcome.ok()) {
      std::cout << "[lockstep] " << full_name << ": replayed " << config.replay_file << " (seed "
                << trace.info.seed << ", " << to_string(trace.info.strategy.kind)
                << "): the run passes\n";
      return;
    }
    report_parts(parts);
    ADD_FAILURE_AT(test.file, test.line)
        << "lockstep: " << full_name << " fails when replaying " << config.replay_file << " (seed "
        << trace.info.seed << ", strategy " << to_string(trace.info.strategy.kind) << "):\n  "
        << failure_text(run->outcome.exception());
    return;
  }

  const std::uint64_t count = std::max<std::uint64_t>(test.options.seeds, 1);
  if (!config.seeds &&
      test.options.first_seed > std::numeric_limits<std::uint64_t>::max() - (count - 1)) {
    ADD_FAILURE_AT(test.file, test.line) << "lockstep: TestOptions: first_seed + seeds overflows";
    return;
  }
  const SeedRange range = config.seeds.value_or(
      SeedRange{test.options.first_seed, test.options.first_seed + (count - 1)});
  const std::uint64_t share = config.shard.share(range);
  // "faithful", or "random, cancels 5% (any), fault plan, each seed twice".
  std::string strategy = to_string(options.strategy.kind);
  if (options.strategy.cancellation.mode == CancellationFuzzing::Mode::kRandom) {
    char percent[32];
    std::snprintf(percent, sizeof percent, "%g%%", options.strategy.cancellation.probability * 100);
    const CancellationFuzzing::Point at = options.strategy.cancellation.at;
    strategy +=
        std::string(", cancels ") + percent + " (" +
        to_string(options.strategy.cancellation.target) +
        (at == CancellationFuzzing::Point::kSuspend ? "" : std::string("@") + to_string(at)) +
        (options.strategy.cancellation.tasks.empty()
             ? std::string()
             : " of " + options.strategy.cancellation.tasks) +
        ")";
  }
  if (options.faults) strategy += ", fault plan";
  if (config.check_determinism) strategy += ", each seed twice";
  const std::string shard_text = config.shard.total > 1
                                     ? "shard " + std::to_string(config.shard.index + 1) + " of " +
                                           std::to_string(config.shard.total) + ": "
                                     : "";
  ::testing::Test::RecordProperty("lockstep_seeds", to_string(range));
  ::testing::Test::RecordProperty("lockstep_strategy", strategy);
  if (config.shard.total > 1)
    ::testing::Test::RecordProperty("lockstep_shard", std::to_string(config.shard.index + 1) + "/" +
                                                          std::to_string(config.shard.total));

  ProgressLine progress(std::cout, isatty(1) != 0);
  const auto start = Clock::now();
  std::uint64_t done = 0;
  std::optional<SeedFailure> first_failure;
  std::vector<std::uint64_t> failing_seeds;
  std::string trace_path, shrunk_path, shrink_summary, save_error, skip_reason;
  {
    // The rerun command is "LOCKSTEP_SEED=<seed>" followed by the rest.
    CrashReport crash_report(
        full_name, "LOCKSTEP_SEED=",
        rerun_command(config, full_name, env_settings(config, config.check_determinism)));
    Intercepting intercept(failures);
    for (std::uint64_t seed = range.first;; ++seed) {
      if (config.shard.owns(range, seed)) {
        options.seed = seed;
        crash_report.running(seed);
        const int before = failures.parts.size();
        auto run = simulate(program, options);
        const auto run_parts = parts_since(before);  // not the determinism replay's too
        if (const auto why = skipped(run)) {
          // A failure already found is what the sweep reports (LOCKSTEP_KEEP_GOING).
          if (!first_failure) skip_reason = "skipped at seed " + std::to_string(seed) + ": " + *why;
          break;
        }
        std::string determinism;
        if (config.check_determinism) {
          const DeterminismReport r = compare_replay(run, replay(program, run.decisions, options));
          if (!r.deterministic) determinism = r.report;
        }
        ++done;
        if (!run.outcome.ok() || !determinism.empty()) {
          failing_seeds.push_back(seed);
          if (!first_failure)
            first_failure = SeedFailure{
                seed, run.outcome.ok() ? std::string() : failure_text(run.outcome.exception()),
                determinism, run.decisions, run_parts};
          if (!config.keep_going) break;
        }
        if (progress.due()) {
          const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
          const double rate = done / std::max(elapsed, 1e-9);
          progress.update("[lockstep] " + full_name + ": " + shard_text + std::to_string(done) +
                          "/" + std::to_string(share) + " seeds, " +
                          std::to_string(failing_seeds.size()) + " failed, " +
                          std::to_string(static_cast<std::uint64_t>(rate)) + " seeds/s, " +
                          seconds_text((share - done) / std::max(rate, 1e-9)) + " left");
        }
      }
      if (seed == range.last) break;
    }
    progress.finish();

    if (first_failure) {
      // The failing run's trace, then the smallest run that fails the same way.
      SimulationOptions o = options;
      o.seed = first_failure->seed;
      const std::string base =
          config.trace_dir + "/" + full_name + ".seed" + std::to_string(first_failure->seed);
      const std::map<std::string, std::string> labels = {{"test", full_name},
                                                         {"bazel_target", config.bazel_target}};
      try {
        std::filesystem::create_directories(config.trace_dir);
        crash_report.running(first_failure->seed);  // saving the trace runs it again
        save_trace(program, first_failure->decisions, o, base + ".trace", full_name, labels);
        trace_path = base + ".trace";
        if (config.shrink && first_failure->determinism.empty()) {
          ShrinkOptions budget;
          budget.max_runs = test.options.max_shrink_runs;
          budget.max_time = std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(test.options.max_shrink_seconds));
          ProgressLine shrinking(std::cout, isatty(1) != 0);
          budget.on_progress = [&](const ShrinkProgress& p) {
            if (!shrinking.due()) return;
            shrinking.update("[lockstep] " + full_name + ": shrinking seed " +
                             std::to_string(first_failure->seed) + ": " + std::to_string(p.runs) +
                             " runs, " + std::to_string(p.non_default) +
                             " non-default decisions (from " +
                             std::to_string(p.original_non_default) + ")");
          };
          crash_report.shrinking(first_failure->seed);
          auto small = shrink(program, first_failure->decisions, o, budget);
          shrinking.finish();
          if (small.failed) {
            save_trace(program, small.run.decisions, o, base + ".shrunk.trace", full_name, labels);
            shrunk_path = base + ".shrunk.trace";
            shrink_summary = small.summary;
          }
        }
      } catch (const std::exception& e) {
        save_error = e.what();
      }
    }
  }

  if (!skip_reason.empty()) GTEST_SKIP() << "lockstep: " << skip_reason;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (!first_failure) {
    std::cout << "[lockstep] " << full_name << ": " << shard_text << done
              << (done == 1 ? " seed (" : " seeds (") << config.shard.seeds_text(range) << ", "
              << strategy << ") passed in " << seconds_text(elapsed) << ", "
              << static_cast<std::uint64_t>(done / std::max(elapsed, 1e-9)) << " seeds/s\n";
    return;
  }

  const SeedFailure& f = *first_failure;
  // Under bazel test the traces end up zipped: name them by where they will be.
  auto shown = [&](const std::string& path) {
    if (!config.trace_dir_is_bazel_outputs) return path;
    return std::filesystem::path(path).filename().string() + " (in " +
           bazel_outputs_zip(config.trace_dir) + ")";
  };
  ::testing::Test::RecordProperty("lockstep_failing_seed", std::to_string(f.seed));
  if (!trace_path.empty()) ::testing::Test::RecordProperty("lockstep_trace", shown(trace_path));
  if (!shrunk_path.empty())
    ::testing::Test::RecordProperty("lockstep_shrunk_trace", shown(shrunk_path));
  report_parts(f.parts);

  std::ostringstream msg;
  msg << "lockstep: " << full_name << " failed at seed " << f.seed << " (seeds "
      << config.shard.seeds_text(range) << ", " << shard_text << "strategy " << strategy << "; "
      << done << (done == 1 ? " seed run)\n" : " seeds run)\n");
  if (!f.determinism.empty())
    msg << "  " << f.determinism << "\n";
  else
    msg << "  failure: " << f.failure << "\n";
  if (failing_seeds.size() > 1) {
    msg << "  failing seeds:";
    for (std::size_t i = 0; i < failing_seeds.size() && i < 20; ++i) msg << " " << failing_seeds[i];
    if (failing_seeds.size() > 20) msg << " ... (" << failing_seeds.size() << " in all)";
    msg << "\n";
  }
  if (!save_error.empty()) msg << "  (could not save the trace: " << save_error << ")\n";
  if (!trace_path.empty()) msg << "  trace:  " << shown(trace_path) << "\n";
  if (!shrunk_path.empty()) {
    std::istringstream lines(shrink_summary);
    std::string line;
    bool first = true;
    while (std::getline(lines, line)) {
      msg << (first ? "  shrunk: " : "          ") << line << "\n";
      first = false;
    }
    msg << "          " << shown(shrunk_path) << "\n";
  }
  msg << "  replay this run:\n    "
      << rerun_command(config, full_name,
                       "LOCKSTEP_SEED=" + std::to_string(f.seed) +
                           env_settings(config, !f.determinism.empty()))
      << "\n";
  if (!trace_path.empty()) {
    const std::string replayed = shrunk_path.empty() ? trace_path : shrunk_path;
    const std::string file = std::filesystem::path(replayed).filename().string();
    if (config.trace_dir_is_bazel_outputs) {
      const std::string zip = bazel_outputs_zip(config.trace_dir);
      msg << "  replay the " << (shrunk_path.empty() ? "" : "shrunk ")
          << "trace:\n    unzip -o -d /tmp/lockstep " << shell_quoted(zip) << " "
          << shell_quoted(file) << " && "
          << rerun_command(config, full_name, "LOCKSTEP_REPLAY=/tmp/lockstep/" + shell_quoted(file))
          << "\n";
    } else {
      msg << "  replay the " << (shrunk_path.empty() ? "" : "shrunk ") << "trace:\n    "
          << rerun_command(config, full_name, "LOCKSTEP_REPLAY=" + shell_quoted(replayed)) << "\n";
    }
  }
  ADD_FAILURE_AT(test.file, test.line) << msg.str();
}

}  // namespace lockstep::internal
