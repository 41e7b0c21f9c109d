#include "sim/testing/crash_report.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstring>
#include <exception>

namespace lockstep::internal {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM};
constexpr int kSignalCount = sizeof kSignals / sizeof kSignals[0];

// The report in force (an inner one leaves it be). Strings are fixed while it is alive.
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
  char digits[24];  // std::to_chars neither allocates nor locks: fine in a handler
  put(digits,
      static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, v).ptr - digits));
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

// The handler a signal had before ours (nullptr: none recorded).
const struct sigaction* previous_action(int sig) noexcept {
  if (!active) return nullptr;
  for (int i = 0; i < kSignalCount; ++i)
    if (kSignals[i] == sig) return &active->previous[i];
  return nullptr;
}

void* handler_of(const struct sigaction& action) noexcept {
  return (action.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(action.sa_sigaction)
                                        : reinterpret_cast<void*>(action.sa_handler);
}

void on_signal(int sig, siginfo_t* info, void* context) {
  report(signal_name(sig));
  // Then whoever had the signal before: ASan's handler gets the real siginfo (its report
  // names the faulting address), the default action the real fault.
  const struct sigaction* previous = previous_action(sig);
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  if (!previous) previous = &fallback;
  ::sigaction(sig, previous, nullptr);
  void* const handler = handler_of(*previous);
  if (handler == reinterpret_cast<void*>(SIG_IGN)) return;
  if (handler != reinterpret_cast<void*>(SIG_DFL)) {
    if (previous->sa_flags & SA_SIGINFO)
      previous->sa_sigaction(sig, info, context);
    else
      previous->sa_handler(sig);
    return;
  }
  // A fault raised by the CPU (si_code > 0) happens again on return, now with the default
  // action and its true details; anything sent (abort, kill) is sent again.
  if (info && info->si_code > 0 && sig != SIGABRT && sig != SIGTERM) return;
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
  owner_ = true;
  active = new Active{test, command_before_seed, command_after_seed, {}, nullptr};
  reported = false;
  shrinking_now = false;
  struct sigaction action = {};
  action.sa_sigaction = on_signal;
  // SA_ONSTACK: on the alternate stack where there is one (ASan's), so that a stack
  // overflow is still reported.
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < kSignalCount; ++i) {
    ::sigaction(kSignals[i], nullptr, &active->previous[i]);
    // An ignored signal stays ignored.
    if (handler_of(active->previous[i]) == reinterpret_cast<void*>(SIG_IGN)) continue;
    ::sigaction(kSignals[i], &action, nullptr);
  }
  active->previous_terminate = std::set_terminate(on_terminate);
}

CrashReport::~CrashReport() {
  if (!owner_ || !active) return;
  for (int i = 0; i < kSignalCount; ++i) ::sigaction(kSignals[i], &active->previous[i], nullptr);
  std::set_terminate(active->previous_terminate);
  delete active;
  active = nullptr;
}

void CrashReport::running(std::uint64_t seed) noexcept {
  if (!owner_) return;
  current_seed = seed;
  shrinking_now = false;
}

void CrashReport::shrinking(std::uint64_t seed) noexcept {
  if (!owner_) return;
  current_seed = seed;
  shrinking_now = true;
}

}  // namespace lockstep::internal
