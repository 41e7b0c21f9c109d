#include "sim/escape.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "loop/internal/task_base.h"
#include "sim/sim_decisions.h"

// Defined by //sim/escape:interpose: true there. Weak, so that a binary without it links.
extern "C" bool lockstep_escape_interposed() __attribute__((weak));

namespace lockstep {

namespace {

// A virtualized clock read so many times within one step is a busy wait: virtual time
// does not move inside a step, so the wait would never end.
constexpr std::uint64_t kMaxVirtualReadsPerStep = 100'000;

// Frames of the C and C++ runtimes, the sanitizers and the loader: never a call site.
bool system_object(const char* path) {
  if (!path) return true;
  for (const char* dir : {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/"})
    if (std::strncmp(path, dir, std::strlen(dir)) == 0) return true;
  return std::strstr(path, "linux-vdso") != nullptr;
}

// The interposers, this file, a static sanitizer runtime and the standard library's
// templates: never a call site either.
bool machinery(const std::string& function) {
  static const char* const kNames[] = {"clock_gettime",
                                       "gettimeofday",
                                       "time",
                                       "nanosleep",
                                       "clock_nanosleep",
                                       "usleep",
                                       "sleep",
                                       "getrandom",
                                       "getentropy",
                                       "open",
                                       "open64",
                                       "openat",
                                       "openat64",
                                       "fopen",
                                       "fopen64",
                                       "pthread_create",
                                       "socket",
                                       "connect",
                                       "accept",
                                       "accept4",
                                       "poll",
                                       "ppoll",
                                       "select",
                                       "pselect",
                                       "epoll_wait",
                                       "epoll_pwait",
                                       "recv",
                                       "recvfrom",
                                       "recvmsg",
                                       "send",
                                       "sendto",
                                       "sendmsg",
                                       "socketpair",
                                       "read",
                                       "write",
                                       "readv",
                                       "writev",
                                       "std::random_device::_M_getval()"};
  for (const char* name : kNames)
    if (function == name) return true;
  // A statically linked sanitizer runtime (clang's) lives in the binary: its interceptors
  // (of backtrace itself, among others) are frames of the binary.
  for (const char* prefix : {"lockstep::internal::EscapeMonitor", "lockstep_escape_", "backtrace",
                             "__interceptor_", "__sanitizer", "__asan", "__ubsan"})
    if (function.rfind(prefix, 0) == 0) return true;
  // The standard library's templates instantiated in the binary
  // ("void std::this_thread::sleep_for<...>(...)" when not inlined) are its frames too.
  const std::size_t params = function.find('(');
  return function.rfind("std::", 0) == 0 || function.find(" std::") < params;
}

std::string demangle(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || !out) return name;
  std::string s(out);
  std::free(out);
  return s;
}

// A frame for people: the function, or the object and offset when it has no symbol.
// Empty for frames of system objects.
std::string frame_name(void* address, bool& system) {
  Dl_info info{};
  // A return address points after the call: look one byte back for the caller's symbol.
  void* in_call = static_cast<char*>(address) - 1;
  if (!dladdr(in_call, &info)) {
    system = false;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", address);
    return buf;
  }
  system = system_object(info.dli_fname);
  if (info.dli_sname) return demangle(info.dli_sname);
  char buf[64];
  const char* base = info.dli_fname ? std::strrchr(info.dli_fname, '/') : nullptr;
  std::snprintf(
      buf, sizeof buf, "+0x%zx",
      static_cast<std::size_t>(static_cast<char*>(address) - static_cast<char*>(info.dli_fbase)));
  return std::string(base ? base + 1 : (info.dli_fname ? info.dli_fname : "?")) + buf;
}

// True iff two backtraces name the same functions; frames without a symbol
// ("object+0xoffset") compare by their object alone.
bool same_functions(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t ca = a[i].rfind("+0x"), cb = b[i].rfind("+0x");
    if (std::string_view(a[i]).substr(0, ca) != std::string_view(b[i]).substr(0, cb)) return false;
  }
  return true;
}

}  // namespace

std::optional<EscapeMode> parse_escape_mode(std::string_view text) {
  if (text == "off") return EscapeMode::kOff;
  if (text == "warn") return EscapeMode::kWarn;
  if (text == "fail") return EscapeMode::kFail;
  if (text == "virtualize") return EscapeMode::kVirtualize;
  return std::nullopt;
}

const char* to_string(EscapeMode mode) {
  switch (mode) {
    case EscapeMode::kOff:
      return "off";
    case EscapeMode::kWarn:
      return "warn";
    case EscapeMode::kFail:
      return "fail";
    case EscapeMode::kVirtualize:
      return "virtualize";
  }
  return "?";
}

std::string Escape::describe() const {
  char at[48];
  std::snprintf(at, sizeof at, "%.6fs", to_seconds(time));
  std::string s = call + " by " + task + " at t=" + at + ", called from " + site;
  for (std::size_t i = 1; i < frames.size() && i < 4; ++i) s += " < " + frames[i];
  if (count > 1) s += " (" + std::to_string(count) + " calls)";
  return s;
}

bool escape_detection_linked() noexcept {
  return lockstep_escape_interposed && lockstep_escape_interposed();
}

namespace internal {

EscapeMonitor::EscapeMonitor(EscapeMode mode, std::vector<std::string> allowed) noexcept
    : mode_(mode), allowed_(std::move(allowed)) {}

EscapeMonitor::~EscapeMonitor() { detach(); }

void EscapeMonitor::attach(Loop& loop, SimDecisions& decisions) noexcept {
  loop_ = &loop;
  decisions_ = &decisions;
  if (mode_ == EscapeMode::kOff || attached_) return;
  previous_ = escape_state.hook;
  escape_state.hook = this;
  attached_ = true;
}

void EscapeMonitor::detach() noexcept {
  if (attached_) {
    escape_state.hook = previous_;
    attached_ = false;
  }
  loop_ = nullptr;
  decisions_ = nullptr;
}

bool EscapeMonitor::on_escape(const char* call, bool virtualizable) noexcept {
  EscapeState& state = escape_state;
  state.inside = true;  // what follows (backtrace, malloc, stderr) is not an escape
  struct Leave {
    EscapeState& s;
    ~Leave() { s.inside = false; }
  } leave{state};
  bool virtualize = virtualizable && mode_ == EscapeMode::kVirtualize;
  if (virtualize && loop_) {
    if (loop_->steps() != step_of_reads_) {
      step_of_reads_ = loop_->steps();
      reads_this_step_ = 0;
    }
    if (++reads_this_step_ > kMaxVirtualReadsPerStep) {
      virtualize = false;  // a busy wait: real time lets it end; the run fails
      call = "a busy wait on the virtual clock (100000 reads within one step)";
    }
  }
  try {
    void* frames[48];
    const int n = backtrace(frames, 48);
    std::uint64_t key = 0xcbf29ce484222325ull;  // FNV-1a over the call and the frames
    auto mix = [&key](std::uint64_t v) {
      key ^= v;
      key *= 0x100000001b3ull;
    };
    for (const char* c = call; *c; ++c) mix(static_cast<unsigned char>(*c));
    for (int i = 0; i < n; ++i) mix(reinterpret_cast<std::uintptr_t>(frames[i]));
    for (const auto& [seen, index] : seen_) {
      if (seen != key) continue;
      if (index < 0) return false;  // an allowed call site
      ++escapes_[static_cast<std::size_t>(index)].count;
      return virtualize;
    }
    // A new site: who called?
    Escape e;
    e.call = call;
    e.time = loop_ ? loop_->global_time() : TimePoint{};
    if (!loop_)
      e.task = "(no loop)";
    else if (TaskBase* task = loop_->current_task())
      e.task = "task '" + task->name() + "'";
    else
      e.task = "(a callback)";
    bool allowed = false;
    for (int i = 0; i < n && e.frames.size() < 8; ++i) {
      bool system = false;
      std::string name = frame_name(frames[i], system);
      if (system || machinery(name)) continue;
      for (const std::string& pattern : allowed_)
        if (!pattern.empty() && name.find(pattern) != std::string::npos) allowed = true;
      e.frames.push_back(std::move(name));
    }
    e.site =
        e.frames.empty() ? "(unknown: no frame outside the C and C++ runtimes)" : e.frames.front();
    e.count = 1;
    if (allowed) {
      seen_.emplace_back(key, -1);  // never reported, never virtualized
      return false;
    }
    // The same call from the same functions by another path (an unrolled loop, another
    // line of the same function): one call site.
    for (std::size_t i = 0; i < escapes_.size(); ++i) {
      if (escapes_[i].call != e.call || !same_functions(escapes_[i].frames, e.frames)) continue;
      seen_.emplace_back(key, static_cast<int>(i));
      ++escapes_[i].count;
      return virtualize;
    }
    seen_.emplace_back(key, static_cast<int>(escapes_.size()));
    if (!virtualize) ++failing_;
    if (mode_ == EscapeMode::kWarn)
      std::fprintf(stderr, "lockstep: escape: %s\n", e.describe().c_str());
    escapes_.push_back(std::move(e));
  } catch (...) {
    // Out of memory while describing it: the call still answers.
  }
  return virtualize;
}

TimePoint EscapeMonitor::virtual_monotonic() noexcept {
  return loop_ ? loop_->time() : TimePoint{};
}

std::chrono::system_clock::time_point EscapeMonitor::virtual_realtime() noexcept {
  return loop_ ? loop_->wall_clock() : std::chrono::system_clock::time_point{};
}

std::uint32_t EscapeMonitor::virtual_random() noexcept {
  if (!decisions_) return 0;
  EscapeState& state = escape_state;
  state.inside = true;
  struct Leave {
    EscapeState& s;
    ~Leave() { s.inside = false; }
  } leave{state};
  try {
    static constexpr const char* kSite = "<escape: randomness>";
    return static_cast<std::uint32_t>(
        decisions_->random_below(std::uint64_t{1} << 32, decisions_->site_for({kSite, 1})));
  } catch (...) {
    return 0;  // a replay that diverged stops the loop at its next step
  }
}

std::string EscapeMonitor::report() const {
  std::string s = "lockstep: the simulation was escaped: ";
  bool first = true;
  std::size_t shown = 0;
  for (const Escape& e : escapes_) {
    if (!first) s += "\n  also: ";
    s += e.describe();
    first = false;
    if (++shown == 10) break;
  }
  if (escapes_.size() > shown)
    s += "\n  and " + std::to_string(escapes_.size() - shown) + " more call sites";
  s += "\n  (a real clock, randomness, sleep, thread or socket makes runs differ; use "
       "lockstep's (loop.time(), lockstep::random_below, lockstep::sleep, run_in_executor, "
       "lockstep::network()), wrap code that must escape in lockstep::AllowEscapes, allow its "
       "call site (SimulationOptions::allow_escapes), or set LOCKSTEP_ESCAPES=warn|virtualize; "
       "see docs/escapes.md)";
  return s;
}

void EscapeMonitor::check_failing() {
  if (mode_ != EscapeMode::kFail && mode_ != EscapeMode::kVirtualize) return;
  thrown_ = true;
  thrown_error_ = std::make_exception_ptr(EscapeError(report()));
  std::rethrow_exception(thrown_error_);
}

std::exception_ptr EscapeMonitor::failure() const {
  if (thrown_error_) return thrown_error_;
  if (failing_ == 0 || (mode_ != EscapeMode::kFail && mode_ != EscapeMode::kVirtualize))
    return nullptr;
  return std::make_exception_ptr(EscapeError(report()));
}

}  // namespace internal
}  // namespace lockstep
