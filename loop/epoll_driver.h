// EpollDriver: the production driver. Real time, real fds, one epoll_wait per idle loop.
//
//   lockstep::EpollDriver real;
//   lockstep::RunOptions options;
//   options.driver = &real;
//   try {
//     lockstep::run(serve(), options);   // Ctrl-C cancels serve(), which cleans up
//   } catch (const lockstep::KeyboardInterrupt&) {
//     return 130;
//   }
//
// The loop's clock is std::chrono::steady_clock, its epoch the driver's construction.
// wait() blocks in epoll_wait until the next timer, an fd's readiness (IoReactor), or a
// wake(): call_soon_threadsafe writes an eventfd, so a post from another thread (or a
// signal handler: the write is async-signal-safe) ends the wait at once. Deadlines have
// nanosecond resolution through epoll_pwait2 (Linux 5.11); on an older kernel the wait
// rounds up to the next millisecond, as asyncio does, so it never wakes early and never
// spins. The scheduling core is the same as under VirtualDriver: only time and I/O differ.
//
// One EpollDriver serves one loop at a time. Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <unordered_map>

#include "loop/driver.h"
#include "loop/io_reactor.h"

namespace lockstep {

class EpollDriver final : public Driver, public IoReactor {
 public:
  // Throws std::system_error if the kernel refuses an epoll instance or an eventfd.
  EpollDriver();
  EpollDriver(const EpollDriver&) = delete;
  EpollDriver& operator=(const EpollDriver&) = delete;
  ~EpollDriver() override;

  // Driver.
  TimePoint now() const override {
    return TimePoint(
        std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - epoch_));
  }
  bool wait(std::optional<TimePoint> deadline, bool external_expected) override;
  void charge(Duration) override {}  // real time passes by itself
  void wake() noexcept override;
  bool is_virtual() const noexcept override { return false; }
  IoReactor* io() noexcept override { return this; }

  // IoReactor.
  void watch(int fd, IoEvent event, IoCallback* callback, bool keeps_alive = true) override;
  bool unwatch(int fd, IoEvent event) noexcept override;
  void poll() override;
  bool has_watches() const noexcept override { return !fds_.empty(); }

 private:
  struct Interest {
    IoCallback* reader = nullptr;  // told when readable (or hung up, or in error)
    IoCallback* writer = nullptr;  // told when writable (or hung up, or in error)
    bool reader_keeps_alive = false;
    bool writer_keeps_alive = false;
    std::uint32_t registered = 0;  // the events the kernel has for this fd (0: not added)
  };

  // Waits up to `timeout` (nullopt: forever; zero: a poll) and dispatches what is ready.
  void wait_events(std::optional<std::chrono::nanoseconds> timeout);
  // Tells the kernel the events `interest` wants now; forgets the fd if none.
  void update(int fd, Interest& interest);

  std::chrono::steady_clock::time_point epoch_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;                // eventfd written by wake()
  std::atomic<bool> woken_{false};  // a wake() is pending: later ones need not write
  bool have_pwait2_ = true;         // cleared if the kernel lacks epoll_pwait2
  // poll() calls since the last look at the fds (see poll()).
  static constexpr unsigned kPollInterval = 32;
  unsigned busy_polls_ = 0;
  std::size_t keeping_alive_ = 0;  // watches that make waiting worthwhile
  // Looked up by fd only, never iterated: its order cannot leak into a run.
  std::unordered_map<int, Interest> fds_;
};

// The real-time driver's former name.
using RealTimeDriver = EpollDriver;

}  // namespace lockstep
