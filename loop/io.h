// Readiness of file descriptors: asyncio's add_reader/add_writer, and awaits on them.
//
//   lockstep::EpollDriver real;                     // only a real driver has fds
//   lockstep::Loop loop({.driver = &real});
//
//   lockstep::Coro<std::size_t> read_some(int fd, char* buf, std::size_t n) {
//     for (;;) {
//       ssize_t got = ::read(fd, buf, n);           // fd is non-blocking
//       if (got >= 0) co_return std::size_t(got);
//       if (errno != EAGAIN) throw std::system_error(errno, std::generic_category());
//       co_await lockstep::wait_readable(fd);       // cancellable; removes its interest
//     }
//   }
//
//   loop.add_reader(fd, [&] { drain(fd); });        // or a persistent callback, as asyncio
//
// Level-triggered, as asyncio's selectors: a watch reports an fd for as long as it stays
// ready, so a wait registered after the data arrived still sees it (no lost wakeup), and
// a consumer need not read until EAGAIN. wait_readable/wait_writable are one-shot: their
// interest is removed when the wait completes or is cancelled, so an fd nobody waits on
// costs nothing and a hung-up fd cannot spin the loop. A driver that simulates time has
// no file descriptors: the simulated network comes through its own interface, and these
// calls throw RuntimeError there.
#pragma once

#include "loop/future.h"
#include "loop/io_reactor.h"

namespace lockstep {

// A future that completes once `fd` is readable (or hung up, or in error: the read will
// tell). Awaiting it is cancellable: cancelling removes the interest, and the fd can be
// waited on again at once. Throws RuntimeError outside a running loop, on a driver without
// file descriptors, or while another wait for the same (fd, event) is pending.
[[nodiscard]] Future<void> wait_readable(int fd);
// The same for writability.
[[nodiscard]] Future<void> wait_writable(int fd);

}  // namespace lockstep
