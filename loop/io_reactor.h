// The fd readiness interface a real driver implements (Driver::io()); what the loop's
// add_reader/add_writer and wait_readable/wait_writable (loop/io.h) are built on.
//
//   class MyReactor final : public lockstep::IoReactor { ... };   // e.g. EpollDriver
//   reactor.watch(fd, lockstep::IoEvent::kReadable, &callback);  // level-triggered
//   ...
//   reactor.unwatch(fd, lockstep::IoEvent::kReadable);           // before closing fd
#pragma once

#include <cstdint>

namespace lockstep {

enum class IoEvent : std::uint8_t { kReadable, kWritable };

// Told that an fd is ready. Called on the loop's thread from within Driver::wait or
// IoReactor::poll; it should only schedule work (call_soon), never block.
class IoCallback {
 public:
  virtual void on_ready() = 0;

 protected:
  ~IoCallback() = default;
};

// The fd readiness a real driver offers (Driver::io()). One callback per (fd, event).
class IoReactor {
 public:
  virtual ~IoReactor() = default;
  // Reports `fd` to `callback` (not owned) while it is ready for `event`, until
  // unwatch(). Replaces an earlier callback for the same (fd, event). `keeps_alive`:
  // false for a watch that alone is no reason to wait (a signal's wakeup fd), so a run
  // with nothing else to wait for is still a deadlock. Throws std::system_error if the
  // kernel refuses the fd (a regular file: EPERM; a closed fd: EBADF).
  virtual void watch(int fd, IoEvent event, IoCallback* callback, bool keeps_alive = true) = 0;
  // Stops reporting; returns true iff there was a callback. Call it before closing the fd.
  virtual bool unwatch(int fd, IoEvent event) noexcept = 0;
  // Reports what is ready now, without blocking (asyncio's select(0) in a busy iteration).
  virtual void poll() = 0;
  // True iff any fd is watched.
  virtual bool has_watches() const noexcept = 0;
};

}  // namespace lockstep
