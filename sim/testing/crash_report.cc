#include "sim/testing/crash_report.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <exception>

namespace lockstep::internal {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM};
constexpr int kSignalCount = sizeof kSignals / sizeof kSignals[0];

// The one report in force (sweeps do not nest). Strings are fixed while it is alive.
struct Active {
  std::string test, before_seed, after_seed;
  struct sigaction previous[kSignalCount];
  std::terminate_handler previous_terminate = nullptr;
};
Active* active = nullptr;
std::atomic<std::uint64_t> current_seed{0};
std::atomic<bool> shrinking_now{false};
std::atomic<bool> reported{false};

void put(const char* s, std::size_t n) noexcept {
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}
void put(const char* s) noexcept { put(s, std::strlen(s)); }
void put(const std::string& s) noexcept { put(s.data(), s.size()); }
void put(std::uint64_t v) noexcept {
  char digits[24];
  int n = 0;
  do {
    digits[sizeof digits - 1 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  put(digits + sizeof digits - n, static_cast<std::size_t>(n));
}

const char* signal_name(int sig) noexcept {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    case SIGTERM:
      return "SIGTERM: killed, by a test timeout?";
  }
  return "a signal";
}

void report(const char* cause) noexcept {
  if (!active || reported.exchange(true)) return;
  const std::uint64_t seed = current_seed.load();
  put("\n[lockstep] ");
  put(active->test);
  put(shrinking_now.load() ? ": the process died while shrinking the failure of seed "
                           : ": the process died at seed ");
  put(seed);
  put(" (");
  put(cause);
  put("). Rerun that seed:\n    ");
  put(active->before_seed);
  put(seed);
  put(active->after_seed);
  put("\n");
}

void on_signal(int sig) {
  report(signal_name(sig));
  // Hand the signal to whoever had it before (ASan's report, or the default action).
  if (active)
    for (int i = 0; i < kSignalCount; ++i)
      if (kSignals[i] == sig) ::sigaction(sig, &active->previous[i], nullptr);
  ::raise(sig);
}

void on_terminate() {
  report("std::terminate");
  if (active && active->previous_terminate) active->previous_terminate();
  std::abort();
}

}  // namespace

CrashReport::CrashReport(const std::string& test, const std::string& command_before_seed,
                         const std::string& command_after_seed) {
  if (active) return;  // a nested sweep: the outer report stands
  active = new Active{test, command_before_seed, command_after_seed, {}, nullptr};
  reported = false;
  shrinking_now = false;
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < kSignalCount; ++i) ::sigaction(kSignals[i], &action, &active->previous[i]);
  active->previous_terminate = std::set_terminate(on_terminate);
}

CrashReport::~CrashReport() {
  if (!active) return;
  for (int i = 0; i < kSignalCount; ++i) ::sigaction(kSignals[i], &active->previous[i], nullptr);
  std::set_terminate(active->previous_terminate);
  delete active;
  active = nullptr;
}

void CrashReport::running(std::uint64_t seed) noexcept {
  current_seed = seed;
  shrinking_now = false;
}

void CrashReport::shrinking(std::uint64_t seed) noexcept {
  current_seed = seed;
  shrinking_now = true;
}

}  // namespace lockstep::internal
