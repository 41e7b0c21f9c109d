#include "loop/epoll_driver.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <string>
#include <system_error>

namespace lockstep {

namespace {

constexpr int kMaxEvents = 64;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), std::string("lockstep: ") + what);
}

}  // namespace

EpollDriver::EpollDriver() : epoch_(std::chrono::steady_clock::now()) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    const int e = errno;
    ::close(epoll_fd_);
    errno = e;
    throw_errno("eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) < 0) {
    const int e = errno;
    ::close(wake_fd_);
    ::close(epoll_fd_);
    errno = e;
    throw_errno("epoll_ctl(eventfd)");
  }
}

EpollDriver::~EpollDriver() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EpollDriver::wake() noexcept {
  // Only the first wake() since the loop last drained the eventfd writes: a burst of
  // call_soon_threadsafe costs one syscall. Async-signal-safe (a lock-free atomic, write).
  if (woken_.exchange(true)) return;
  const std::uint64_t one = 1;
  const int saved = errno;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  errno = saved;
}

bool EpollDriver::wait(std::optional<TimePoint> deadline, bool external_expected) {
  if (!deadline && !external_expected && keeping_alive_ == 0) return false;
  std::optional<std::chrono::nanoseconds> timeout;
  if (deadline) timeout = std::max(Duration::zero(), *deadline - now());
  wait_events(timeout);
  return true;
}

void EpollDriver::poll() {
  // A busy loop looks at its fds every kPollInterval-th iteration, not every one (tokio's
  // event_interval does the same): a request/response exchange then costs one epoll_wait
  // per side, as in Boost.Asio, instead of two; a task spinning on sleep(0) still sees
  // I/O and signals within a few microseconds. When and how often I/O is looked at is
  // timing, which no program can rely on, so no asyncio semantics change.
  if (++busy_polls_ < kPollInterval) return;
  wait_events(std::chrono::nanoseconds::zero());
}

void EpollDriver::wait_events(std::optional<std::chrono::nanoseconds> timeout) {
  busy_polls_ = 0;
  epoll_event events[kMaxEvents];
  int n = -1;
  if (have_pwait2_) {
    timespec ts{};
    if (timeout) {
      ts.tv_sec = static_cast<std::time_t>(timeout->count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout->count() % 1'000'000'000);
    }
    n = ::epoll_pwait2(epoll_fd_, events, kMaxEvents, timeout ? &ts : nullptr, nullptr);
    if (n < 0 && errno == ENOSYS) have_pwait2_ = false;
  }
  if (!have_pwait2_) {
    int ms = -1;
    if (timeout) {
      // Rounded up: waking before the deadline would only make the loop wait again.
      const auto up = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
      ms = up > 0x7fffffff ? 0x7fffffff : static_cast<int>(up);
    }
    n = ::epoll_wait(epoll_fd_, events, kMaxEvents, ms);
  }
  if (n < 0) {
    if (errno == EINTR) return;  // a signal: the loop looks again (its handler may have posted)
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    const std::uint32_t got = events[i].events;
    if (fd == wake_fd_) {
      std::uint64_t count;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
      // Cleared after the read: a wake() from now on writes again, so none is lost. The
      // loop drains its inbox after wait() returns, which sees every post made so far.
      woken_.store(false);
      continue;
    }
    auto it = fds_.find(fd);
    if (it == fds_.end()) continue;
    // Callbacks only schedule work: neither can unwatch while we look at `it`.
    IoCallback* reader = it->second.reader;
    IoCallback* writer = it->second.writer;
    if (reader && (got & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
      reader->on_ready();
    if (writer && (got & (EPOLLOUT | EPOLLHUP | EPOLLERR))) writer->on_ready();
  }
}

void EpollDriver::watch(int fd, IoEvent event, IoCallback* callback, bool keeps_alive) {
  Interest& interest = fds_[fd];
  IoCallback*& slot = event == IoEvent::kReadable ? interest.reader : interest.writer;
  bool& alive =
      event == IoEvent::kReadable ? interest.reader_keeps_alive : interest.writer_keeps_alive;
  IoCallback* const old = slot;
  const bool old_alive = alive;
  if (old && old_alive) --keeping_alive_;
  slot = callback;
  alive = keeps_alive;
  if (keeps_alive) ++keeping_alive_;
  try {
    update(fd, interest);
  } catch (...) {
    if (keeps_alive) --keeping_alive_;
    slot = old;
    alive = old_alive;
    if (old && old_alive) ++keeping_alive_;
    if (!interest.reader && !interest.writer) fds_.erase(fd);
    throw;
  }
}

bool EpollDriver::unwatch(int fd, IoEvent event) noexcept {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return false;
  Interest& interest = it->second;
  IoCallback*& slot = event == IoEvent::kReadable ? interest.reader : interest.writer;
  bool& alive =
      event == IoEvent::kReadable ? interest.reader_keeps_alive : interest.writer_keeps_alive;
  if (!slot) return false;
  if (alive) --keeping_alive_;
  slot = nullptr;
  alive = false;
  try {
    update(fd, interest);
  } catch (...) {
    // The kernel refused the change (the fd closed under us): forget the fd if idle.
    auto again = fds_.find(fd);
    if (again != fds_.end() && !again->second.reader && !again->second.writer) fds_.erase(again);
  }
  return true;
}

void EpollDriver::update(int fd, Interest& interest) {
  const std::uint32_t want =
      (interest.reader ? EPOLLIN | EPOLLRDHUP : 0u) | (interest.writer ? EPOLLOUT : 0u);
  if (want == interest.registered) return;
  if (want == 0) {
    // Removed, not kept with no events: the kernel would still report a hang-up to nobody.
    fds_.erase(fd);  // `interest` dies here
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr) < 0 && errno != EBADF && errno != ENOENT)
      throw_errno("epoll_ctl(DEL)");
    return;
  }
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  int op = interest.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int r = ::epoll_ctl(epoll_fd_, op, fd, &ev);
  if (r < 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
    // Closed without unwatch() and the number reused: the kernel dropped the old one.
    op = EPOLL_CTL_ADD;
    r = ::epoll_ctl(epoll_fd_, op, fd, &ev);
  }
  if (r < 0) throw_errno(op == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)");
  interest.registered = want;
}

}  // namespace lockstep
