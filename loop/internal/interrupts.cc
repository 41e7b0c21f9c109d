#include "loop/internal/interrupts.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "loop/errors.h"
#include "loop/loop.h"

namespace lockstep::internal {

namespace {

constexpr int kSignals[2] = {SIGINT, SIGTERM};

// Set while a run owns the signals: the eventfd the handler writes, and per-signal counts.
std::atomic<int> g_wakeup_fd{-1};
std::atomic<unsigned> g_pending[2];
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<unsigned>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

extern "C" void lockstep_on_signal(int signo) {
  const int saved = errno;
  g_pending[signo == SIGINT ? 0 : 1].fetch_add(1);
  const int fd = g_wakeup_fd.load();
  if (fd >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);
  }
  errno = saved;
}

// One eventfd for the process, never closed: a handler still running on another thread
// when a run restores the dispositions may write to it, and must not hit a reused fd.
int wakeup_fd() {
  static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return fd;
}

bool on_main_thread() { return ::getpid() == ::gettid(); }

}  // namespace

MainInterrupts::MainInterrupts(Loop& loop, AnyTask main, bool enabled)
    : loop_(&loop), main_(std::move(main)) {
  if (!enabled || !loop.io() || !on_main_thread() || wakeup_fd() < 0) return;
  if (g_wakeup_fd.load() >= 0) return;  // another run has them
  for (int i = 0; i < 2; ++i) {
    if (::sigaction(kSignals[i], nullptr, &previous_[i]) != 0) return;
    if (previous_[i].sa_handler != SIG_DFL || (previous_[i].sa_flags & SA_SIGINFO)) return;
  }
  std::uint64_t stale;
  while (::read(wakeup_fd(), &stale, sizeof stale) > 0) {
  }
  g_pending[0].store(0);
  g_pending[1].store(0);
  loop.io()->watch(wakeup_fd(), IoEvent::kReadable, this, /*keeps_alive=*/false);
  g_wakeup_fd.store(wakeup_fd());
  struct sigaction action {};
  action.sa_handler = lockstep_on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : kSignals) ::sigaction(sig, &action, nullptr);
  installed_ = true;
}

void MainInterrupts::restore() noexcept {
  if (!installed_) return;
  installed_ = false;
  for (int i = 0; i < 2; ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
  g_wakeup_fd.store(-1);
  loop_->io()->unwatch(wakeup_fd(), IoEvent::kReadable);
}

void MainInterrupts::on_ready() {
  std::uint64_t count;
  while (::read(wakeup_fd(), &count, sizeof count) > 0) {
  }
  for (int i = 0; i < 2; ++i) {
    for (unsigned n = g_pending[i].exchange(0); n > 0; --n) on_signal(kSignals[i]);
  }
}

void MainInterrupts::on_signal(int signo) {
  // asyncio.Runner._on_sigint: the first cancels main, and the loop wakes to deliver it.
  ++interrupts_;
  last_signal_ = signo;
  if (interrupts_ == 1 && !main_.done()) {
    main_.cancel();
    return;
  }
  // asyncio raises KeyboardInterrupt out of the loop: the run stops after this iteration,
  // and the shutdown cancels what is left (main included) before run() reports it.
  stopped_ = true;
  loop_->stop();
}

std::exception_ptr MainInterrupts::outcome(std::exception_ptr failure) {
  if (stopped_) return std::make_exception_ptr(KeyboardInterrupt(last_signal_));
  if (interrupts_ > 0 && failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const CancelledError&) {
      if (main_.uncancel() == 0) return std::make_exception_ptr(KeyboardInterrupt(last_signal_));
    } catch (...) {
    }
  }
  return failure;
}

}  // namespace lockstep::internal
