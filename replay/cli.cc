#include "replay/cli.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "replay/chrome_export.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"

namespace lockstep::cli {

namespace {

constexpr const char* kUsage =
    "usage: lockstep <command> [options]\n"
    "\n"
    "commands:\n"
    "  show TRACE                     print the run as a timeline: time, task, event\n"
    "  stats TRACE                    decisions by kind and by task, virtual duration, size\n"
    "  diff A B                       the first decision where traces A and B differ\n"
    "  export --format=chrome TRACE   Chrome trace-event JSON on stdout; open it in\n"
    "                                 ui.perfetto.dev or chrome://tracing\n"
    "  help                           this text\n"
    "\n"
    "exit codes: 0 ok (diff: no difference), 1 diff found a difference, 2 bad usage,\n"
    "3 a trace could not be read\n";

constexpr int kOk = 0, kDifferent = 1, kUsageError = 2, kTraceFailure = 3;

std::string seconds(TimePoint t) { return format_seconds(t); }

std::string header_text(const Trace& t) {
  std::ostringstream s;
  s << "trace: program '" << t.info.program << "', seed " << t.info.seed << ", strategy "
    << to_string(t.info.strategy.kind) << ", format " << t.format_version << " (lockstep "
    << t.lockstep_version << ")\n";
  for (const auto& [k, v] : t.info.labels) s << "  label " << k << " = " << v << "\n";
  return s.str();
}

std::string end_text(const Trace& t) {
  if (!t.end) return "the trace is truncated: " + t.truncation + "\n";
  std::ostringstream s;
  s << seconds(t.end->end_time)
    << "  end: " << (t.end->ok ? "main returned" : "main raised " + t.end->error) << " after "
    << t.end->steps << " steps and " << t.end->decisions << " decisions\n";
  return s.str();
}

int show(const Trace& t, std::ostream& out) {
  out << header_text(t);
  for (const TimelineEntry& e : timeline(t))
    out << seconds(e.time) << "  " << e.who << "  " << e.what << "\n";
  out << end_text(t);
  return kOk;
}

int stats(const Trace& t, const std::string& path, std::ostream& out) {
  out << header_text(t);
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_kind;  // total, non-default
  std::map<std::uint64_t, std::size_t> by_task;
  for (const Decision& d : t.decisions) {
    auto& k = by_kind[to_string(d.kind)];
    ++k.first;
    if (d.value != 0) ++k.second;
    ++by_task[d.task];
  }
  out << "decisions: " << t.decisions.size() << "\n";
  for (const auto& [kind, n] : by_kind)
    out << "  " << kind << ": " << n.first << " (" << n.second << " not the asyncio default)\n";
  out << "decisions by task:\n";
  const auto names = task_names(t);
  for (const auto& [task, n] : by_task) out << "  " << task_label(task, names) << ": " << n << "\n";
  out << "log lines: " << t.logs.size() << "\n";
  if (!t.events.empty()) {
    std::map<std::string, std::size_t> events_by_kind;
    for (const TraceEvent& e : t.events) ++events_by_kind[to_string(e.kind)];
    out << "events: " << t.events.size() << "\n";
    for (const auto& [kind, n] : events_by_kind) out << "  " << kind << ": " << n << "\n";
  }
  if (t.end)
    out << "virtual duration: " << seconds(t.end->end_time) << ", steps: " << t.end->steps << "\n";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f) {
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fclose(f);
    out << "size: " << size << " bytes";
    if (!t.decisions.empty())
      out << ", " << static_cast<double>(size) / static_cast<double>(t.decisions.size())
          << " bytes per decision";
    out << "\n";
  }
  out << end_text(t);
  return kOk;
}

int diff(const Trace& a, const Trace& b, std::ostream& out) {
  int status = kOk;
  if (a.info.program != b.info.program) {
    out << "programs differ: '" << a.info.program << "' vs '" << b.info.program << "'\n";
    status = kDifferent;
  }
  if (a.info.seed != b.info.seed || a.info.strategy.kind != b.info.strategy.kind)
    out << "note: seeds/strategies differ: " << a.info.seed << "/"
        << to_string(a.info.strategy.kind) << " vs " << b.info.seed << "/"
        << to_string(b.info.strategy.kind) << "\n";
  const std::size_t n = std::min(a.decisions.size(), b.decisions.size());
  std::size_t i = 0;
  while (i < n && a.decisions[i] == b.decisions[i]) ++i;
  if (i == n && a.decisions.size() == b.decisions.size()) {
    const bool same_end = (a.end && b.end && a.end->ok == b.end->ok &&
                           a.end->error == b.end->error && a.end->end_time == b.end->end_time) ||
                          (!a.end && !b.end);
    if (same_end && status == kOk) {
      out << "the traces agree: " << n << " decisions, the same end\n";
      return kOk;
    }
    out << "the decisions agree (" << n << "), the ends differ:\n  A: " << end_text(a)
        << "  B: " << end_text(b);
    return kDifferent;
  }
  out << "first difference at decision #" << i << ":\n";
  // The common past, as A recorded it: the last few decisions, log lines and events.
  for (const std::string& line : context_before(a, i, 8)) out << "  same  " << line << "\n";
  auto side = [&out](const char* name, const Trace& t, std::size_t k) {
    out << "  " << name << "     ";
    if (k < t.decisions.size())
      out << seconds(t.decisions[k].time) << "  " << task_label(t.decisions[k].task, task_names(t))
          << "  decision #" << k << " " << decision_text(t.decisions[k], t.site_names) << "\n";
    else
      out << "(no more decisions)\n";
  };
  side("A", a, i);
  side("B", b, i);
  return kDifferent;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? kUsageError : kOk;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string format;
  std::vector<std::string> files;
  for (const std::string& a : rest) {
    if (a.rfind("--format=", 0) == 0)
      format = a.substr(9);
    else if (a == "--help" || a == "-h") {
      out << kUsage;
      return kOk;
    } else if (a.rfind("--", 0) == 0) {
      err << "lockstep " << command << ": unknown option " << a << "\n" << kUsage;
      return kUsageError;
    } else {
      files.push_back(a);
    }
  }
  const std::size_t wanted = command == "diff" ? 2 : 1;
  if (command != "show" && command != "stats" && command != "diff" && command != "export") {
    err << "lockstep: unknown command '" << command << "'\n" << kUsage;
    return kUsageError;
  }
  if (files.size() != wanted) {
    err << "lockstep " << command << ": expected " << wanted << " trace file"
        << (wanted == 1 ? "" : "s") << ", got " << files.size() << "\n"
        << kUsage;
    return kUsageError;
  }
  if (command == "export" && format != "chrome") {
    err << "lockstep export: --format=chrome is the one format (got '" << format << "')\n";
    return kUsageError;
  }
  try {
    if (command == "diff") return diff(read_trace(files[0]), read_trace(files[1]), out);
    Trace t = read_trace(files[0]);
    if (command == "show") return show(t, out);
    if (command == "stats") return stats(t, files[0], out);
    export_chrome(t, out);
    return kOk;
  } catch (const TraceError& e) {
    err << "lockstep " << command << ": " << e.what() << "\n";
    return kTraceFailure;
  }
}

}  // namespace lockstep::cli
