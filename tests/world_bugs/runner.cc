// The bug set's runner: for each bug, seeds to the first failure and failing seeds out of
// N under the fixed fault mix and under swarm mixes (ceiling: the mix, and twice it), the shrunk
// summary of the first failure, and the fixed variant's failures over the same N seeds (all three
// mixes). Exits 1 if a fixed variant failed or a buggy one never did.
//
//   ./bazelw run //tests/world_bugs:runner -- --seeds=1000 [--bug=raft] [--shrink_runs=500]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/world_bugs/sweep.h"

namespace {

using lockstep::bugs::Bug;
using lockstep::bugs::Mix;
using lockstep::bugs::SweepResult;
using lockstep::bugs::Variant;

std::string first(const SweepResult& r) {
  return r.first_failure ? std::to_string(*r.first_failure + 1) : std::string("-");
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seeds = 1000, shrink_runs = 500;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seeds=", 0) == 0) {
      seeds = std::strtoull(a.c_str() + 8, nullptr, 10);
    } else if (a.rfind("--bug=", 0) == 0) {
      only = a.substr(6);
    } else if (a.rfind("--shrink_runs=", 0) == 0) {
      shrink_runs = std::strtoull(a.c_str() + 14, nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: runner [--seeds=N] [--bug=SUBSTRING] [--shrink_runs=N]\n");
      return 2;
    }
  }
  constexpr Mix kMixes[] = {Mix::kFixed, Mix::kSwarm, Mix::kSwarm2x};
  constexpr const char* kMixNames[] = {"fixed mix", "swarm", "swarm 2x"};
  struct Row {
    std::string name, needs;
    SweepResult buggy[3], fixed[3];
    std::string summary;
  };
  std::vector<Row> rows;
  bool ok = true;
  for (const Bug& bug : lockstep::bugs::all_bugs()) {
    if (!only.empty() && bug.name.find(only) == std::string::npos) continue;
    Row row;
    row.name = bug.name;
    row.needs = bug.needs;
    const auto started = std::chrono::steady_clock::now();
    for (int variant = 0; variant < 2; ++variant) {
      for (int m = 0; m < 3; ++m) {
        const std::string what = std::string(variant == 0 ? "buggy, " : "fixed, ") + kMixNames[m];
        auto progress = [&](std::uint64_t done) {
          if (done % 100 == 0 || done == seeds)
            std::fprintf(stderr, "\r%-32s %-20s %5llu/%llu", bug.name.c_str(), what.c_str(),
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(seeds));
        };
        SweepResult& r = variant == 0 ? row.buggy[m] : row.fixed[m];
        r = sweep(bug, variant == 0 ? Variant::kBuggy : Variant::kFixed, kMixes[m], 0, seeds,
                  progress);
      }
    }
    std::fprintf(stderr, "\n");
    for (int m = 0; m < 3 && row.summary.empty(); ++m)
      if (row.buggy[m].first_failure)
        row.summary = std::string("(") + kMixNames[m] + ", seed " +
                      std::to_string(*row.buggy[m].first_failure) + ") " +
                      lockstep::bugs::shrunk_summary(bug, Variant::kBuggy, kMixes[m],
                                                     *row.buggy[m].first_failure, shrink_runs);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("== %s: %s (needs %s; %.1fs)\n", bug.name.c_str(), bug.bug.c_str(),
                bug.needs.c_str(), secs);
    std::uint64_t buggy_failures = 0, fixed_failures = 0;
    for (int m = 0; m < 3; ++m) {
      const SweepResult& r = row.buggy[m];
      buggy_failures += r.failures;
      fixed_failures += row.fixed[m].failures;
      std::printf("   buggy, %-9s first failure at seed #%s, %llu/%llu failing; %s\n", kMixNames[m],
                  first(r).c_str(), static_cast<unsigned long long>(r.failures),
                  static_cast<unsigned long long>(seeds), r.first_message.c_str());
    }
    for (int m = 0; m < 3; ++m)
      std::printf("   fixed, %-9s %llu/%llu failing %s\n", kMixNames[m],
                  static_cast<unsigned long long>(row.fixed[m].failures),
                  static_cast<unsigned long long>(seeds), row.fixed[m].first_message.c_str());
    std::printf("   shrunk: %s\n", row.summary.c_str());
    std::fflush(stdout);
    if (fixed_failures > 0 || buggy_failures == 0) ok = false;
    rows.push_back(std::move(row));
  }
  std::printf(
      "\n| bug | needs | seeds to 1st failure (mix / swarm / swarm 2x) | failing of %llu "
      "(mix / swarm / swarm 2x) | fixed variant failing (all three) |\n|---|---|---|---|---|\n",
      static_cast<unsigned long long>(seeds));
  for (const Row& r : rows)
    std::printf("| %s | %s | %s / %s / %s | %llu / %llu / %llu | %llu |\n", r.name.c_str(),
                r.needs.c_str(), first(r.buggy[0]).c_str(), first(r.buggy[1]).c_str(),
                first(r.buggy[2]).c_str(), static_cast<unsigned long long>(r.buggy[0].failures),
                static_cast<unsigned long long>(r.buggy[1].failures),
                static_cast<unsigned long long>(r.buggy[2].failures),
                static_cast<unsigned long long>(r.fixed[0].failures + r.fixed[1].failures +
                                                r.fixed[2].failures));
  return ok ? 0 : 1;
}
