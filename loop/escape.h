// Escapes: calls that bypass a simulation (the real clock, real randomness, sleeping,
// thread creation, real sockets), and the scope guard for code that must make them.
//
//   void log_line(std::string_view text) {
//     lockstep::AllowEscapes allow("logging timestamps");  // this thread, this scope
//     auto stamp = std::chrono::system_clock::now();        // not reported
//     ...
//   }
//
// Detection is done by //sim/escape:interpose (linked by lockstep_test()), only while a
// simulation runs on the current thread; its modes and report are in sim/escape.h, the
// whole story in docs/escapes.md. This header is all loop/ needs: the allow scope, and
// the hook a simulation installs (loop/ knows nothing of sim/).
#pragma once

#include <chrono>
#include <cstdint>

#include "loop/clock.h"

namespace lockstep {

// While one is alive on a thread, that thread's escapes are not reported (nor
// virtualized): the real clock, randomness and threads answer. Nests. `why` is for the
// reader; keep it a string literal.
class AllowEscapes {
 public:
  explicit AllowEscapes(const char* why = "") noexcept;
  ~AllowEscapes();
  AllowEscapes(const AllowEscapes&) = delete;
  AllowEscapes& operator=(const AllowEscapes&) = delete;

 private:
  const char* why_;  // for a debugger
};

namespace internal {

// What a simulation installs on its thread for the interposers (sim/escape.h's
// EscapeMonitor). Calls come with the thread inside the hook: an escape the hook itself
// makes (backtrace, malloc, printing) goes straight to the real function.
class EscapeHook {
 public:
  virtual ~EscapeHook() = default;
  // The program called `call` (e.g. "clock_gettime(CLOCK_MONOTONIC)"). Returns true iff
  // the caller should answer with virtual values (the mode virtualizes and `virtualizable`
  // is true); false: the real function runs.
  virtual bool on_escape(const char* call, bool virtualizable) noexcept = 0;
  // Virtual answers (only asked after on_escape returned true).
  virtual TimePoint virtual_monotonic() noexcept = 0;  // the loop's time()
  virtual std::chrono::system_clock::time_point virtual_realtime() noexcept = 0;
  virtual std::uint32_t virtual_random() noexcept = 0;  // a decision
};

// The thread's state; plain data, so reading it costs one TLS load and runs before any
// constructor (the interposers run before main too).
struct EscapeState {
  EscapeHook* hook = nullptr;  // set by a simulation for the length of its run
  std::uint32_t allowed = 0;   // live AllowEscapes
  bool inside = false;         // in the hook already: its own calls are not escapes
};
inline constinit thread_local EscapeState escape_state{};

// The hook to tell about an escape now, or nullptr (none, allowed, or re-entered).
inline EscapeHook* escape_hook() noexcept {
  EscapeState& s = escape_state;
  return s.hook && s.allowed == 0 && !s.inside ? s.hook : nullptr;
}

// Installs `hook` on this thread until the scope ends (the previous one is restored).
class EscapeHookScope {
 public:
  explicit EscapeHookScope(EscapeHook* hook) noexcept : previous_(escape_state.hook) {
    escape_state.hook = hook;
  }
  ~EscapeHookScope() { escape_state.hook = previous_; }
  EscapeHookScope(const EscapeHookScope&) = delete;
  EscapeHookScope& operator=(const EscapeHookScope&) = delete;

 private:
  EscapeHook* previous_;
};

}  // namespace internal
}  // namespace lockstep
