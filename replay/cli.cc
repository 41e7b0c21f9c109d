#include "replay/cli.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

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

std::string seconds(TimePoint t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6fs", to_seconds(t));
  return buf;
}

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

std::string decision_text(const Decision& d) {
  std::ostringstream s;
  s << to_string(d.kind) << " site=" << d.site << " bound=" << d.bound << " value=" << d.value;
  return s.str();
}

std::string task_text(std::uint64_t task) { return task ? "task " + std::to_string(task) : "loop"; }

int show(const Trace& t, std::ostream& out) {
  out << header_text(t);
  // Decisions and log lines merged in time order (stable: decisions first on ties).
  std::size_t d = 0, l = 0;
  while (d < t.decisions.size() || l < t.logs.size()) {
    const bool take_log =
        d == t.decisions.size() || (l < t.logs.size() && t.logs[l].time < t.decisions[d].time);
    if (take_log) {
      const TraceLogLine& line = t.logs[l++];
      out << seconds(line.time) << "  " << task_text(line.task) << "  log: " << line.text << "\n";
    } else {
      const Decision& x = t.decisions[d++];
      out << seconds(x.time) << "  " << task_text(x.task) << "  decision #" << d - 1 << " "
          << decision_text(x) << "\n";
    }
  }
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
  for (const auto& [task, n] : by_task) out << "  " << task_text(task) << ": " << n << "\n";
  out << "log lines: " << t.logs.size() << "\n";
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
  const std::size_t from = i > 3 ? i - 3 : 0;
  for (std::size_t k = from; k < i; ++k)
    out << "  same  " << seconds(a.decisions[k].time) << "  " << task_text(a.decisions[k].task)
        << "  " << decision_text(a.decisions[k]) << "\n";
  auto side = [&out](const char* name, const Trace& t, std::size_t k) {
    out << "  " << name << "     ";
    if (k < t.decisions.size())
      out << seconds(t.decisions[k].time) << "  " << task_text(t.decisions[k].task) << "  "
          << decision_text(t.decisions[k]) << "\n";
    else
      out << "(no more decisions)\n";
  };
  side("A", a, i);
  side("B", b, i);
  return kDifferent;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string micros(TimePoint t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3f",
                static_cast<double>(t.time_since_epoch().count()) / 1000.0);
  return buf;
}

// Chrome trace-event format: one process, a row (tid) per task (0 = the loop itself), an
// instant event per decision and per log line, the run as one complete event.
int export_chrome(const Trace& t, std::ostream& out) {
  std::map<std::uint64_t, bool> tasks;
  for (const Decision& d : t.decisions) tasks[d.task] = true;
  for (const TraceLogLine& l : t.logs) tasks[l.task] = true;
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":"
      << json_string(t.info.program + " seed " + std::to_string(t.info.seed) + " (" +
                     to_string(t.info.strategy.kind) + ")")
      << "}}";
  for (const auto& [task, _] : tasks)
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << task
        << ",\"name\":\"thread_name\",\"args\":{\"name\":" << json_string(task_text(task)) << "}}";
  if (t.end)
    out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":0,\"dur\":" << micros(t.end->end_time)
        << ",\"name\":" << json_string(t.end->ok ? "run: main returned" : "run: " + t.end->error)
        << "}";
  for (std::size_t i = 0; i < t.decisions.size(); ++i) {
    const Decision& d = t.decisions[i];
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" << d.task
        << ",\"ts\":" << micros(d.time) << ",\"name\":" << json_string(to_string(d.kind))
        << ",\"args\":{\"index\":" << i << ",\"site\":\"" << d.site << "\",\"bound\":\"" << d.bound
        << "\",\"value\":\"" << d.value << "\"}}";
  }
  for (const TraceLogLine& l : t.logs)
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" << l.task
        << ",\"ts\":" << micros(l.time) << ",\"name\":" << json_string(l.text)
        << ",\"cat\":\"log\"}";
  out << "\n]}\n";
  return kOk;
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
    return export_chrome(t, out);
  } catch (const TraceError& e) {
    err << "lockstep " << command << ": " << e.what() << "\n";
    return kTraceFailure;
  }
}

}  // namespace lockstep::cli
