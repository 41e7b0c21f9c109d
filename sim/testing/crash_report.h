// When a sweep's process dies (a crash, an abort, Bazel's SIGTERM at a timeout, or
// std::terminate), the seed it was running is the one thing a person needs: this prints
// it, with the command that reruns it, before the process goes.
//
//   internal::CrashReport report("Suite.Name", "LOCKSTEP_SEED=", " ./bazelw test ...");
//   report.running(seed);          // before each run
//   report.shrinking(seed);        // while shrinking that seed's failure
//
// The text is prepared up front and written with write(2) only: a signal handler may do
// nothing more. The previous handlers run afterwards (ASan's report, the default core).
#pragma once

#include <cstdint>
#include <string>

namespace lockstep::internal {

class CrashReport {
 public:
  // The rerun command is `command_before_seed` + the seed + `command_after_seed`.
  CrashReport(const std::string& test, const std::string& command_before_seed,
              const std::string& command_after_seed);
  ~CrashReport();
  CrashReport(const CrashReport&) = delete;
  CrashReport& operator=(const CrashReport&) = delete;

  void running(std::uint64_t seed) noexcept;
  void shrinking(std::uint64_t seed) noexcept;

 private:
  bool owner_ = false;  // false: another report was in force (a nested sweep) and stays
};

}  // namespace lockstep::internal
