#include "sim/break_at.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "loop/debug.h"

namespace lockstep {

namespace {

std::string at_time(TimePoint t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, " at %.6fs", to_seconds(t));
  return buf;
}

// "120 decisions (d0-d119)"
std::string count_text(std::uint64_t n, const char* what, char prefix) {
  std::string s = std::to_string(n) + " " + what;
  if (n > 0) s += std::string(" (") + prefix + "0-" + prefix + std::to_string(n - 1) + ")";
  return s;
}

}  // namespace

BreakAt BreakAt::parse(std::string_view text) {
  auto bad = [&]() -> BreakAt {
    throw std::invalid_argument(
        "'" + std::string(text) +
        "' is not a moment of a run: want d<N> (decision #N), e<N> (event #N) or l<N> (log "
        "line #N), as the first column of `lockstep show` prints them");
  };
  if (text.size() < 2 || text.size() > 21) return bad();
  BreakAt at;
  switch (text[0]) {
    case 'd':
      at.kind = Kind::kDecision;
      break;
    case 'e':
      at.kind = Kind::kEvent;
      break;
    case 'l':
      at.kind = Kind::kLog;
      break;
    default:
      return bad();
  }
  std::uint64_t v = 0;
  for (char c : text.substr(1)) {
    if (c < '0' || c > '9') return bad();
    const std::uint64_t next = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (next / 10 != v) return bad();  // overflow
    v = next;
  }
  at.index = v;
  return at;
}

std::string BreakAt::to_string() const {
  const char prefix = kind == Kind::kDecision ? 'd' : kind == Kind::kEvent ? 'e' : 'l';
  return prefix + std::to_string(index);
}

std::string BreakAt::describe() const {
  const char* what = kind == Kind::kDecision ? "decision #"
                     : kind == Kind::kEvent  ? "event #"
                                             : "log line #";
  return what + std::to_string(index);
}

std::optional<BreakAt> break_at_from_env() {
  const char* v = std::getenv("LOCKSTEP_BREAK_AT");
  if (!v || !*v) return std::nullopt;
  try {
    return BreakAt::parse(v);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("LOCKSTEP_BREAK_AT=") + e.what());
  }
}

bool debugger_attached() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("TracerPid:", 0) == 0) return std::strtoll(line.c_str() + 10, nullptr, 10) != 0;
  return false;
}

std::string BreakAtSink::task_text(std::uint64_t task) const {
  if (task == 0) return "the loop";
  std::string s = "task " + std::to_string(task);
  if (const auto it = task_names_.find(task); it != task_names_.end() && !it->second.empty())
    s += " '" + it->second + "'";
  return s;
}

void BreakAtSink::on_decision(const Decision& d) {
  if (inner_) inner_->on_decision(d);
  const std::uint64_t n = decisions_++;
  if (at_.kind != BreakAt::Kind::kDecision || n != at_.index) [[likely]]
    return;
  const auto site = site_names_.find(d.site);
  stop(at_.describe() + " " + lockstep::to_string(d.kind) +
       " site=" + (site != site_names_.end() ? site->second : std::to_string(d.site)) +
       " bound=" + std::to_string(d.bound) + " value=" + std::to_string(d.value) + at_time(d.time) +
       " in " + task_text(d.task) + "; the frames below this one are the code that asked for it");
}

void BreakAtSink::on_log(TimePoint time, std::uint64_t task, std::string_view text) {
  if (inner_) inner_->on_log(time, task, text);
  const std::uint64_t n = logs_++;
  if (at_.kind != BreakAt::Kind::kLog || n != at_.index) [[likely]]
    return;
  stop(at_.describe() + " '" + std::string(text) + "'" + at_time(time) + " in " + task_text(task));
}

void BreakAtSink::on_site(std::uint64_t site, std::string_view name) {
  if (inner_) inner_->on_site(site, name);
  site_names_.emplace(site, std::string(name));
}

void BreakAtSink::on_event(const LoopEvent& e) noexcept {
  if (inner_) inner_->on_event(e);
  const std::uint64_t n = events_++;
  try {
    if (e.kind == LoopEvent::Kind::kTaskCreated || e.kind == LoopEvent::Kind::kTaskRenamed)
      task_names_[e.task] = std::string(e.text);
    if (at_.kind != BreakAt::Kind::kEvent || n != at_.index) [[likely]]
      return;
    std::string what =
        at_.describe() + " " + lockstep::to_string(e.kind) + " of " + task_text(e.task);
    if (e.other != 0) what += " (other: " + std::to_string(e.other) + ")";
    if (!e.text.empty()) what += ": " + std::string(e.text);
    stop(what + at_time(e.time));
  } catch (...) {
    // Out of memory naming a task: the run goes on; stopping is only a convenience.
  }
}

void BreakAtSink::trap() noexcept {
  // On x86 an int3 in this frame of its own (so that no inlined code of the caller is
  // where the debugger stops), and `continue` goes on: gdb does not pass that SIGTRAP
  // back to the program. Elsewhere raise().
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("int3\n\tnop");
#else
  std::raise(SIGTRAP);
#endif
}

void BreakAtSink::stop(const std::string& what) noexcept {
  reached_ = true;
  const std::string setting = "LOCKSTEP_BREAK_AT=" + at_.to_string();
  if (debugger_attached()) {
    std::fprintf(stderr,
                 "lockstep: %s reached: %s\n"
                 "lockstep: stopping in the debugger (SIGTRAP); `bt` shows the stack, "
                 "`source replay/tools/lockstep_gdb.py` then `lockstep tasks`, `lockstep "
                 "ready`, `lockstep time` show the loop; `continue` goes on\n",
                 setting.c_str(), what.c_str());
    std::fflush(stderr);
    trap();
    return;
  }
  // Without a tracer SIGTRAP would kill the process: say where the run is instead.
  std::fprintf(stderr,
               "lockstep: %s reached: %s\n"
               "lockstep: no debugger attached, so not stopping (run under gdb or lldb to stop "
               "here); the run goes on. The loop now:\n%s",
               setting.c_str(), what.c_str(), lockstep_debug("all"));
  std::fflush(stderr);
}

std::string BreakAtSink::not_reached_text() const {
  return "LOCKSTEP_BREAK_AT=" + at_.to_string() + " was never reached: the run made " +
         count_text(decisions_, "decisions", 'd') + ", " + count_text(events_, "events", 'e') +
         ", " + count_text(logs_, "log lines", 'l');
}

}  // namespace lockstep
