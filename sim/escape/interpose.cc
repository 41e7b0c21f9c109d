// The libc functions that escape a simulation, defined in the test binary so that every
// call reaches them first: the program's, a library's compiled without lockstep, and
// libstdc++'s (std::chrono's clocks, std::this_thread::sleep_for, std::thread,
// std::random_device). Each asks the thread's EscapeHook (loop/escape.h), which is set
// only while a simulation runs on the thread, and otherwise forwards at once to the next
// definition: the sanitizer's interceptor when there is one, else libc's. See
// docs/escapes.md.
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "loop/escape.h"

using lockstep::internal::escape_hook;
using lockstep::internal::EscapeHook;

namespace {

// The next definition of `name` after this binary's: a static sanitizer runtime's
// interceptor (`__interceptor_<name>`, whose plain name ours replaces at link time), or
// what dlsym finds next (a shared sanitizer runtime's, then libc's).
void* next_definition(const char* name, void* interceptor) {
  if (interceptor) return interceptor;
  return dlsym(RTLD_NEXT, name);
}

// The real function, looked up once. Resolving is done at most once per thread at a time;
// a call that arrives while its own lookup runs (dlsym reading the clock) gets nullptr and
// falls back on the raw system call.
template <class Fn>
Fn resolve(std::atomic<Fn>& slot, const char* name, void* interceptor) {
  Fn fn = slot.load(std::memory_order_acquire);
  if (fn) return fn;
  thread_local bool resolving = false;
  if (resolving) return nullptr;
  resolving = true;
  fn = reinterpret_cast<Fn>(next_definition(name, interceptor));
  resolving = false;
  slot.store(fn, std::memory_order_release);
  return fn;
}

#define LOCKSTEP_REAL(name, type)                                                      \
  ([]() -> type {                                                                      \
    static std::atomic<type> slot{nullptr};                                            \
    return resolve<type>(slot, #name, reinterpret_cast<void*>(&__interceptor_##name)); \
  }())

const char* clock_name(clockid_t id) {
  switch (id) {
    case CLOCK_REALTIME:
      return "clock_gettime(CLOCK_REALTIME)";
    case CLOCK_REALTIME_COARSE:
      return "clock_gettime(CLOCK_REALTIME_COARSE)";
    case CLOCK_MONOTONIC:
      return "clock_gettime(CLOCK_MONOTONIC)";
    case CLOCK_MONOTONIC_COARSE:
      return "clock_gettime(CLOCK_MONOTONIC_COARSE)";
    case CLOCK_MONOTONIC_RAW:
      return "clock_gettime(CLOCK_MONOTONIC_RAW)";
    case CLOCK_BOOTTIME:
      return "clock_gettime(CLOCK_BOOTTIME)";
    case CLOCK_PROCESS_CPUTIME_ID:
      return "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)";
    case CLOCK_THREAD_CPUTIME_ID:
      return "clock_gettime(CLOCK_THREAD_CPUTIME_ID)";
    default:
      return "clock_gettime";
  }
}

bool realtime(clockid_t id) {
  return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

timespec to_timespec(std::int64_t ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1'000'000'000;
    --ts.tv_sec;
  }
  return ts;
}

std::int64_t virtual_ns(EscapeHook* hook, bool wall) {
  using namespace std::chrono;
  if (wall) return duration_cast<nanoseconds>(hook->virtual_realtime().time_since_epoch()).count();
  return duration_cast<nanoseconds>(hook->virtual_monotonic().time_since_epoch()).count();
}

bool random_device_path(const char* path) {
  return path && (std::strcmp(path, "/dev/urandom") == 0 || std::strcmp(path, "/dev/random") == 0);
}

}  // namespace

// Reports `call` when a simulation runs on this thread. Returns the hook iff the call is
// to be answered with its virtual values; nullptr: the real function runs. Exported under
// this prefix so that the report's backtrace knows the frame for its own (sim/escape.cc).
extern "C" EscapeHook* lockstep_escape_report(const char* call, bool virtualizable) {
  EscapeHook* hook = escape_hook();
  return hook && hook->on_escape(call, virtualizable) ? hook : nullptr;
}

namespace {
inline EscapeHook* escaped(const char* call, bool virtualizable = false) {
  return lockstep_escape_report(call, virtualizable);
}
}  // namespace

extern "C" {

// The interceptors of a statically linked sanitizer runtime (clang's); null otherwise.
#define LOCKSTEP_DECLARE_INTERCEPTOR(ret, name, ...) \
  ret __interceptor_##name(__VA_ARGS__) __attribute__((weak));
LOCKSTEP_DECLARE_INTERCEPTOR(int, clock_gettime, clockid_t, timespec*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, gettimeofday, timeval*, void*)
LOCKSTEP_DECLARE_INTERCEPTOR(time_t, time, time_t*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, nanosleep, const timespec*, timespec*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, clock_nanosleep, clockid_t, int, const timespec*, timespec*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, usleep, useconds_t)
LOCKSTEP_DECLARE_INTERCEPTOR(unsigned, sleep, unsigned)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, getrandom, void*, size_t, unsigned)
LOCKSTEP_DECLARE_INTERCEPTOR(int, getentropy, void*, size_t)
LOCKSTEP_DECLARE_INTERCEPTOR(int, open, const char*, int, ...)
LOCKSTEP_DECLARE_INTERCEPTOR(int, open64, const char*, int, ...)
LOCKSTEP_DECLARE_INTERCEPTOR(int, openat, int, const char*, int, ...)
LOCKSTEP_DECLARE_INTERCEPTOR(int, openat64, int, const char*, int, ...)
LOCKSTEP_DECLARE_INTERCEPTOR(FILE*, fopen, const char*, const char*)
LOCKSTEP_DECLARE_INTERCEPTOR(FILE*, fopen64, const char*, const char*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, pthread_create, pthread_t*, const pthread_attr_t*,
                             void* (*)(void*), void*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, socket, int, int, int)
LOCKSTEP_DECLARE_INTERCEPTOR(int, connect, int, const sockaddr*, socklen_t)
LOCKSTEP_DECLARE_INTERCEPTOR(int, accept, int, sockaddr*, socklen_t*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, accept4, int, sockaddr*, socklen_t*, int)
LOCKSTEP_DECLARE_INTERCEPTOR(int, poll, pollfd*, nfds_t, int)
LOCKSTEP_DECLARE_INTERCEPTOR(int, select, int, fd_set*, fd_set*, fd_set*, timeval*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, epoll_wait, int, epoll_event*, int, int)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, recv, int, void*, size_t, int)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, recvfrom, int, void*, size_t, int, sockaddr*, socklen_t*)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, recvmsg, int, msghdr*, int)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, send, int, const void*, size_t, int)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, sendto, int, const void*, size_t, int, const sockaddr*,
                             socklen_t)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, sendmsg, int, const msghdr*, int)
LOCKSTEP_DECLARE_INTERCEPTOR(int, socketpair, int, int, int, int*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, ppoll, pollfd*, nfds_t, const timespec*, const sigset_t*)
LOCKSTEP_DECLARE_INTERCEPTOR(int, epoll_pwait, int, epoll_event*, int, int, const sigset_t*)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, read, int, void*, size_t)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, write, int, const void*, size_t)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, readv, int, const iovec*, int)
LOCKSTEP_DECLARE_INTERCEPTOR(ssize_t, writev, int, const iovec*, int)
#undef LOCKSTEP_DECLARE_INTERCEPTOR
// libstdc++'s std::random_device::_M_getval(): every draw, whatever its source (rdrand,
// arc4random, getentropy or /dev/urandom), goes through it.
unsigned int __interceptor__ZNSt13random_device9_M_getvalEv(void*) __attribute__((weak));

// True: //sim/escape:interpose is linked (sim/escape.h: escape_detection_linked()).
bool lockstep_escape_interposed() { return true; }

// ---- the clock: std::chrono's system_clock, steady_clock, high_resolution_clock -------

int clock_gettime(clockid_t id, timespec* ts) {
  if (EscapeHook* hook = escaped(clock_name(id), /*virtualizable=*/true)) {
    *ts = to_timespec(virtual_ns(hook, realtime(id)));
    return 0;
  }
  using Fn = int (*)(clockid_t, timespec*);
  if (Fn real = LOCKSTEP_REAL(clock_gettime, Fn)) return real(id, ts);
  return static_cast<int>(syscall(SYS_clock_gettime, id, ts));
}

int gettimeofday(timeval* tv, void* tz) {
  if (EscapeHook* hook = escaped("gettimeofday", /*virtualizable=*/true)) {
    const std::int64_t ns = virtual_ns(hook, /*wall=*/true);
    tv->tv_sec = static_cast<time_t>(ns / 1'000'000'000);  // glibc's tv is nonnull too
    tv->tv_usec = static_cast<suseconds_t>(ns % 1'000'000'000 / 1000);
    return 0;
  }
  using Fn = int (*)(timeval*, void*);
  if (Fn real = LOCKSTEP_REAL(gettimeofday, Fn)) return real(tv, tz);
  return static_cast<int>(syscall(SYS_gettimeofday, tv, tz));
}

time_t time(time_t* out) {
  if (EscapeHook* hook = escaped("time", /*virtualizable=*/true)) {
    const auto t = static_cast<time_t>(virtual_ns(hook, /*wall=*/true) / 1'000'000'000);
    if (out) *out = t;
    return t;
  }
  using Fn = time_t (*)(time_t*);
  if (Fn real = LOCKSTEP_REAL(time, Fn)) return real(out);
  timespec now{};  // no SYS_time on every architecture (aarch64)
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &now);
  if (out) *out = now.tv_sec;
  return now.tv_sec;
}

// ---- sleeping: std::this_thread::sleep_for/sleep_until -------------------------------
// Never virtualized: a thread that sleeps blocks the loop, and virtual time cannot pass
// inside a step.

int nanosleep(const timespec* request, timespec* remaining) {
  escaped("nanosleep");
  using Fn = int (*)(const timespec*, timespec*);
  if (Fn real = LOCKSTEP_REAL(nanosleep, Fn)) return real(request, remaining);
  return static_cast<int>(syscall(SYS_nanosleep, request, remaining));
}

int clock_nanosleep(clockid_t id, int flags, const timespec* request, timespec* remaining) {
  escaped("clock_nanosleep");
  using Fn = int (*)(clockid_t, int, const timespec*, timespec*);
  if (Fn real = LOCKSTEP_REAL(clock_nanosleep, Fn)) return real(id, flags, request, remaining);
  return static_cast<int>(syscall(SYS_clock_nanosleep, id, flags, request, remaining));
}

int usleep(useconds_t usec) {
  escaped("usleep");
  using Fn = int (*)(useconds_t);
  return LOCKSTEP_REAL(usleep, Fn)(usec);
}

unsigned sleep(unsigned seconds) {
  escaped("sleep");
  using Fn = unsigned (*)(unsigned);
  return LOCKSTEP_REAL(sleep, Fn)(seconds);
}

// ---- randomness: getrandom, getentropy, std::random_device, /dev/urandom -------------

namespace {
void fill_virtual(EscapeHook* hook, void* buffer, size_t length) {
  auto* out = static_cast<unsigned char*>(buffer);
  for (size_t i = 0; i < length; i += 4) {
    const std::uint32_t v = hook->virtual_random();
    std::memcpy(out + i, &v, length - i < 4 ? length - i : 4);
  }
}
}  // namespace

ssize_t getrandom(void* buffer, size_t length, unsigned flags) {
  if (EscapeHook* hook = escaped("getrandom", /*virtualizable=*/true)) {
    fill_virtual(hook, buffer, length);
    return static_cast<ssize_t>(length);
  }
  using Fn = ssize_t (*)(void*, size_t, unsigned);
  if (Fn real = LOCKSTEP_REAL(getrandom, Fn)) return real(buffer, length, flags);
  return syscall(SYS_getrandom, buffer, length, flags);
}

int getentropy(void* buffer, size_t length) {
  if (EscapeHook* hook = escaped("getentropy", /*virtualizable=*/true)) {
    fill_virtual(hook, buffer, length);
    return 0;
  }
  using Fn = int (*)(void*, size_t);
  return LOCKSTEP_REAL(getentropy, Fn)(buffer, length);
}

unsigned int _ZNSt13random_device9_M_getvalEv(void* self) {
  if (EscapeHook* hook = escaped("std::random_device", /*virtualizable=*/true))
    return hook->virtual_random();
  using Fn = unsigned int (*)(void*);
  return LOCKSTEP_REAL(_ZNSt13random_device9_M_getvalEv, Fn)(self);
}

namespace {
// open's mode argument, present only when the flags create a file.
mode_t mode_of(int flags, va_list args) {
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
    return static_cast<mode_t>(va_arg(args, int));
  return 0;
}
}  // namespace

int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  if (random_device_path(path)) escaped("open(/dev/urandom)");
  using Fn = int (*)(const char*, int, ...);
  return LOCKSTEP_REAL(open, Fn)(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  if (random_device_path(path)) escaped("open(/dev/urandom)");
  using Fn = int (*)(const char*, int, ...);
  return LOCKSTEP_REAL(open64, Fn)(path, flags, mode);
}

int openat(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  if (random_device_path(path)) escaped("openat(/dev/urandom)");
  using Fn = int (*)(int, const char*, int, ...);
  return LOCKSTEP_REAL(openat, Fn)(dir, path, flags, mode);
}

int openat64(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = mode_of(flags, args);
  va_end(args);
  if (random_device_path(path)) escaped("openat(/dev/urandom)");
  using Fn = int (*)(int, const char*, int, ...);
  return LOCKSTEP_REAL(openat64, Fn)(dir, path, flags, mode);
}

FILE* fopen(const char* path, const char* mode) {
  if (random_device_path(path)) escaped("fopen(/dev/urandom)");
  using Fn = FILE* (*)(const char*, const char*);
  return LOCKSTEP_REAL(fopen, Fn)(path, mode);
}

FILE* fopen64(const char* path, const char* mode) {
  if (random_device_path(path)) escaped("fopen(/dev/urandom)");
  using Fn = FILE* (*)(const char*, const char*);
  return LOCKSTEP_REAL(fopen64, Fn)(path, mode);
}

// ---- threads: std::thread, std::async, pthread_create ---------------------------------
// lockstep's own executors (run_in_executor's pool) start theirs under AllowEscapes.

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*),
                   void* arg) {
  escaped("pthread_create");
  using Fn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  return LOCKSTEP_REAL(pthread_create, Fn)(thread, attr, start, arg);
}

// ---- the real network: sockets and waiting on descriptors -----------------------------
// Under simulation the network is lockstep::network() (sim/net/); a real socket blocks the
// loop on the machine's network.

int socket(int domain, int type, int protocol) {
  escaped("socket");
  using Fn = int (*)(int, int, int);
  return LOCKSTEP_REAL(socket, Fn)(domain, type, protocol);
}

int connect(int fd, const sockaddr* address, socklen_t length) {
  escaped("connect");
  using Fn = int (*)(int, const sockaddr*, socklen_t);
  return LOCKSTEP_REAL(connect, Fn)(fd, address, length);
}

int accept(int fd, sockaddr* address, socklen_t* length) {
  escaped("accept");
  using Fn = int (*)(int, sockaddr*, socklen_t*);
  return LOCKSTEP_REAL(accept, Fn)(fd, address, length);
}

int accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  escaped("accept4");
  using Fn = int (*)(int, sockaddr*, socklen_t*, int);
  return LOCKSTEP_REAL(accept4, Fn)(fd, address, length, flags);
}

int poll(pollfd* fds, nfds_t count, int timeout) {
  escaped("poll");
  using Fn = int (*)(pollfd*, nfds_t, int);
  return LOCKSTEP_REAL(poll, Fn)(fds, count, timeout);
}

int select(int count, fd_set* read, fd_set* write, fd_set* error, timeval* timeout) {
  escaped("select");
  using Fn = int (*)(int, fd_set*, fd_set*, fd_set*, timeval*);
  return LOCKSTEP_REAL(select, Fn)(count, read, write, error, timeout);
}

int epoll_wait(int fd, epoll_event* events, int count, int timeout) {
  escaped("epoll_wait");
  using Fn = int (*)(int, epoll_event*, int, int);
  return LOCKSTEP_REAL(epoll_wait, Fn)(fd, events, count, timeout);
}

ssize_t recv(int fd, void* buffer, size_t length, int flags) {
  escaped("recv");
  using Fn = ssize_t (*)(int, void*, size_t, int);
  return LOCKSTEP_REAL(recv, Fn)(fd, buffer, length, flags);
}

ssize_t recvfrom(int fd, void* buffer, size_t length, int flags, sockaddr* from,
                 socklen_t* from_length) {
  escaped("recvfrom");
  using Fn = ssize_t (*)(int, void*, size_t, int, sockaddr*, socklen_t*);
  return LOCKSTEP_REAL(recvfrom, Fn)(fd, buffer, length, flags, from, from_length);
}

ssize_t recvmsg(int fd, msghdr* message, int flags) {
  escaped("recvmsg");
  using Fn = ssize_t (*)(int, msghdr*, int);
  return LOCKSTEP_REAL(recvmsg, Fn)(fd, message, flags);
}

ssize_t send(int fd, const void* buffer, size_t length, int flags) {
  escaped("send");
  using Fn = ssize_t (*)(int, const void*, size_t, int);
  return LOCKSTEP_REAL(send, Fn)(fd, buffer, length, flags);
}

ssize_t sendto(int fd, const void* buffer, size_t length, int flags, const sockaddr* to,
               socklen_t to_length) {
  escaped("sendto");
  using Fn = ssize_t (*)(int, const void*, size_t, int, const sockaddr*, socklen_t);
  return LOCKSTEP_REAL(sendto, Fn)(fd, buffer, length, flags, to, to_length);
}

ssize_t sendmsg(int fd, const msghdr* message, int flags) {
  escaped("sendmsg");
  using Fn = ssize_t (*)(int, const msghdr*, int);
  return LOCKSTEP_REAL(sendmsg, Fn)(fd, message, flags);
}

int socketpair(int domain, int type, int protocol, int* fds) {
  escaped("socketpair");
  using Fn = int (*)(int, int, int, int*);
  return LOCKSTEP_REAL(socketpair, Fn)(domain, type, protocol, fds);
}

int ppoll(pollfd* fds, nfds_t count, const timespec* timeout, const sigset_t* mask) {
  escaped("ppoll");
  using Fn = int (*)(pollfd*, nfds_t, const timespec*, const sigset_t*);
  return LOCKSTEP_REAL(ppoll, Fn)(fds, count, timeout, mask);
}

int epoll_pwait(int fd, epoll_event* events, int count, int timeout, const sigset_t* mask) {
  escaped("epoll_pwait");
  using Fn = int (*)(int, epoll_event*, int, int, const sigset_t*);
  return LOCKSTEP_REAL(epoll_pwait, Fn)(fd, events, count, timeout, mask);
}

// read/write and their vector forms are everyone's (stdout, files, pipes): only a socket
// is the real network, asked of the kernel (fstat) only while a simulation runs. A call
// that arrives while its own lookup runs (see resolve) takes the raw system call.

}  // extern "C"

namespace {
bool on_a_socket(int fd) {
  if (!escape_hook()) return false;
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}
}  // namespace

extern "C" {

ssize_t read(int fd, void* buffer, size_t length) {
  if (on_a_socket(fd)) escaped("read on a socket");
  using Fn = ssize_t (*)(int, void*, size_t);
  const Fn fn = LOCKSTEP_REAL(read, Fn);
  return fn ? fn(fd, buffer, length) : syscall(SYS_read, fd, buffer, length);
}

ssize_t write(int fd, const void* buffer, size_t length) {
  if (on_a_socket(fd)) escaped("write on a socket");
  using Fn = ssize_t (*)(int, const void*, size_t);
  const Fn fn = LOCKSTEP_REAL(write, Fn);
  return fn ? fn(fd, buffer, length) : syscall(SYS_write, fd, buffer, length);
}

ssize_t readv(int fd, const iovec* parts, int count) {
  if (on_a_socket(fd)) escaped("readv on a socket");
  using Fn = ssize_t (*)(int, const iovec*, int);
  const Fn fn = LOCKSTEP_REAL(readv, Fn);
  return fn ? fn(fd, parts, count) : syscall(SYS_readv, fd, parts, count);
}

ssize_t writev(int fd, const iovec* parts, int count) {
  if (on_a_socket(fd)) escaped("writev on a socket");
  using Fn = ssize_t (*)(int, const iovec*, int);
  const Fn fn = LOCKSTEP_REAL(writev, Fn);
  return fn ? fn(fd, parts, count) : syscall(SYS_writev, fd, parts, count);
}

}  // extern "C"
