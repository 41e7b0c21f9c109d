// asyncio.Runner's SIGINT handling, for lockstep::run on a driver with real I/O: the
// first SIGINT (or SIGTERM) cancels the main task, a second one stops the run; run()
// then reports KeyboardInterrupt.
//
//   internal::MainInterrupts interrupts(loop, main_task, options.handle_signals);
//   try { loop.run_until_complete(main); } catch (...) { failure = std::current_exception(); }
//   interrupts.restore();                       // before the shutdown, as asyncio does
//   failure = interrupts.outcome(failure);      // KeyboardInterrupt if a signal ended it
//
// The handlers are installed only on the process's main thread and only over the default
// disposition (asyncio: only over Python's default_int_handler), so a program's own
// handler is left alone. The C handler only counts and writes an eventfd (async-signal-
// safe); the count is read on the loop's thread, which the eventfd's readiness wakes.
#pragma once

#include <csignal>
#include <exception>

#include "loop/io_reactor.h"
#include "loop/task.h"

namespace lockstep {
class Loop;
}

namespace lockstep::internal {

class MainInterrupts final : private IoCallback {
 public:
  // Installs the handlers iff `enabled`, the loop's driver has fds, this is the main
  // thread, no other run has them, and each signal's disposition is SIG_DFL.
  MainInterrupts(Loop& loop, AnyTask main, bool enabled);
  MainInterrupts(const MainInterrupts&) = delete;
  MainInterrupts& operator=(const MainInterrupts&) = delete;
  ~MainInterrupts() { restore(); }

  // True iff the handlers are installed now.
  bool installed() const noexcept { return installed_; }
  // Puts the previous dispositions back and stops watching. Idempotent.
  void restore() noexcept;
  // What run() reports given the failure of run_until_complete(main) (null: none):
  // KeyboardInterrupt if a second signal stopped the run, or if main ended cancelled by
  // the first one and nobody withdrew that cancellation (asyncio: task.uncancel() == 0).
  std::exception_ptr outcome(std::exception_ptr failure);

 private:
  void on_ready() override;  // the eventfd is readable: signals have arrived
  void on_signal(int signo);

  Loop* loop_;
  AnyTask main_;
  bool installed_ = false;
  int interrupts_ = 0;            // signals handled so far (asyncio's _interrupt_count)
  int last_signal_ = 0;           // the latest of them
  bool stopped_ = false;          // a second signal stopped the loop
  struct sigaction previous_[2];  // SIGINT's and SIGTERM's dispositions before the run
};

}  // namespace lockstep::internal
