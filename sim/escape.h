// Escape detection: a simulation reports the calls that bypass it (the real clock, real
// randomness, sleeping, thread creation, real sockets) by name, with the task, the
// virtual time and the call site, and fails the run, warns, or answers them virtually.
//
//   lockstep::SimulationOptions o{.seed = 7};
//   o.escapes = lockstep::EscapeMode::kFail;        // LOCKSTEP_TEST's default
//   o.allow_escapes = {"my_logger::stamp"};         // call sites allowed (substrings)
//   auto run = lockstep::simulate(program, o);
//   // a task that read std::chrono::steady_clock::now() fails with EscapeError:
//   //   lockstep: the simulation was escaped: clock_gettime(CLOCK_MONOTONIC) by task
//   //   'main' at t=0.250000s, called from poll_deadline(int) ...
//
// Calls are caught by //sim/escape:interpose, which defines the libc functions in the
// test binary (lockstep_test() links it). Without it nothing is detected:
// escape_detection_linked() says which. Code that must escape uses AllowEscapes
// (loop/escape.h). What is caught and what is not: docs/escapes.md.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loop/escape.h"
#include "loop/loop.h"

namespace lockstep {

class SimDecisions;

// What a simulation does about an escape.
enum class EscapeMode : std::uint8_t {
  kOff,         // nothing: the real functions answer, unreported
  kWarn,        // the real functions answer; each call site is reported once on stderr
  kFail,        // the real functions answer; the run fails with EscapeError at its next step
  kVirtualize,  // clock reads answer virtual time and randomness decided values; the
                // other escapes (sleeps, threads, sockets, /dev/urandom) fail as kFail
};

// "off", "warn", "fail", "virtualize"; nullopt for anything else.
std::optional<EscapeMode> parse_escape_mode(std::string_view text);
const char* to_string(EscapeMode mode);

// A run that escaped the simulation (EscapeMode::kFail). The first line names the first
// escape: the call, the task, the virtual time and the call site.
class EscapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One call site of an escape in a run.
struct Escape {
  std::string call;                 // "clock_gettime(CLOCK_MONOTONIC)", "nanosleep", ...
  std::string task;                 // the task that made it, or "(a callback)", "(no task)"
  TimePoint time{};                 // the virtual time of the first call
  std::string site;                 // the first frame outside libc/libstdc++: the caller's function
  std::vector<std::string> frames;  // that frame and its callers (up to 8)
  std::uint64_t count = 0;          // calls from this site with this call
  std::string describe() const;     // one line
};

// True iff //sim/escape:interpose is linked into this binary.
bool escape_detection_linked() noexcept;

namespace internal {

// A simulated run's EscapeHook: installed on the run's thread from the loop's start to
// its finish. Records escapes, prints them (kWarn), answers them (kVirtualize).
class EscapeMonitor final : public EscapeHook {
 public:
  EscapeMonitor(EscapeMode mode, std::vector<std::string> allowed) noexcept;
  ~EscapeMonitor() override;
  EscapeMonitor(const EscapeMonitor&) = delete;
  EscapeMonitor& operator=(const EscapeMonitor&) = delete;

  // Starts watching this thread for `loop` (on_start) and stops (on_finish).
  void attach(Loop& loop, SimDecisions& decisions) noexcept;
  void detach() noexcept;

  // Throws EscapeError if the run must fail and has not yet been told (after every
  // step, and once at the end).
  void check() {
    if (must_throw()) [[unlikely]]
      check_failing();
  }
  // check() would throw.
  bool must_throw() const noexcept { return failing_ != 0 && !thrown_; }
  // The EscapeError of this run under kFail/kVirtualize, if it escaped; else null.
  std::exception_ptr failure() const;
  const std::vector<Escape>& escapes() const noexcept { return escapes_; }

  bool on_escape(const char* call, bool virtualizable) noexcept override;
  TimePoint virtual_monotonic() noexcept override;
  std::chrono::system_clock::time_point virtual_realtime() noexcept override;
  std::uint32_t virtual_random() noexcept override;

 private:
  std::string report() const;

  EscapeMode mode_;
  std::vector<std::string> allowed_;  // call-site substrings
  Loop* loop_ = nullptr;
  SimDecisions* decisions_ = nullptr;
  EscapeHook* previous_ = nullptr;  // the thread's hook before attach
  bool attached_ = false;
  std::vector<Escape> escapes_;  // distinct (call, site), in order
  // Backtrace hashes seen (of the call and its frames): the index in escapes_, -1 allowed.
  std::vector<std::pair<std::uint64_t, int>> seen_;
  void check_failing();
  std::size_t failing_ = 0;              // escapes_ that fail the run (not virtualized)
  bool thrown_ = false;                  // check() has thrown
  std::exception_ptr thrown_error_;      // what it threw
  std::uint64_t reads_this_step_ = 0;    // virtual clock reads without a step between
  std::uint64_t step_of_reads_ = ~0ull;  // the step they were in
};

}  // namespace internal
}  // namespace lockstep
