#include "loop/io.h"

#include <string>

#include "loop/internal/fd_watch.h"
#include "loop/loop.h"

namespace lockstep {

namespace internal {

void FdWatch::on_ready() {
  if (shared_->queued) return;  // level-triggered: reported again before the call ran
  shared_->queued = true;
  queued_ = loop_->call_soon([shared = shared_] {
    shared->queued = false;
    shared->fn();  // `shared` keeps fn alive even if fn removes its own watch
  });
}

}  // namespace internal

namespace {

const char* event_name(IoEvent event) {
  return event == IoEvent::kReadable ? "readable" : "writable";
}

}  // namespace

std::uint64_t Loop::add_watch(int fd, IoEvent event, std::function<void()> fn) {
  if (closed_) throw RuntimeError("lockstep: Event loop is closed");
  if (!io_) {
    throw RuntimeError("lockstep: cannot watch fd " + std::to_string(fd) + " for becoming " +
                       event_name(event) +
                       ": the loop's driver has no file descriptors (virtual time has no real "
                       "I/O: run on an EpollDriver, or use the simulated network)");
  }
  if (!fd_watches_) fd_watches_ = std::make_unique<internal::FdWatches>();
  auto watch = std::make_unique<internal::FdWatch>(*this, std::move(fn), ++fd_watches_->last_id);
  const std::uint64_t id = watch->id();
  io_->watch(fd, event, watch.get());  // may throw: the old watch, if any, stays
  fd_watches_->by_fd[{fd, event}] = std::move(watch);
  return id;
}

bool Loop::remove_watch(int fd, IoEvent event, std::uint64_t id) {
  if (!fd_watches_) return false;
  auto it = fd_watches_->by_fd.find({fd, event});
  if (it == fd_watches_->by_fd.end()) return false;
  if (id != 0 && it->second->id() != id) return false;
  io_->unwatch(fd, event);
  auto watch = std::move(it->second);  // destroyed after the entry: fn may be running
  fd_watches_->by_fd.erase(it);
  return true;
}

internal::FdWatch* Loop::find_watch(int fd, IoEvent event) const noexcept {
  if (!fd_watches_) return nullptr;
  auto it = fd_watches_->by_fd.find({fd, event});
  return it == fd_watches_->by_fd.end() ? nullptr : it->second.get();
}

namespace {

// asyncio's sock_recv pattern: a future, a reader that completes it, and removal of the
// reader both when it fires and when the future is done some other way (cancelled).
Future<void> wait_for_fd(int fd, IoEvent event) {
  Loop* loop = Loop::current();
  if (!loop) {
    throw RuntimeError(std::string("lockstep: wait_") + event_name(event) +
                       "() needs a running loop");
  }
  if (internal::FdWatch* w = loop->find_watch(fd, event); w && w->wait && !w->wait->done()) {
    throw RuntimeError("lockstep: fd " + std::to_string(fd) +
                       " already has a task waiting for it "
                       "to become " +
                       event_name(event) + "; one wait per fd and direction at a time");
  }
  Future<void> done(*loop);
  const std::uint64_t id = loop->add_watch(fd, event, [loop, fd, event, done]() mutable {
    if (!done.done()) done.set_result();
    loop->remove_watch(fd, event);  // destroys this callable's copy of `done` last
  });
  loop->find_watch(fd, event)->wait = done;
  done.add_done_callback([loop, fd, event, id] {
    // Cancelled (or already removed by the watch): drop the interest unless a later
    // wait on the same fd owns it now.
    loop->remove_watch(fd, event, id);
  });
  return done;
}

}  // namespace

Future<void> wait_readable(int fd) { return wait_for_fd(fd, IoEvent::kReadable); }
Future<void> wait_writable(int fd) { return wait_for_fd(fd, IoEvent::kWritable); }

}  // namespace lockstep
