#include "replay/chrome_export.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "replay/timeline.h"

namespace lockstep {

namespace {

std::string json_string(std::string_view s) {
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
        if (c < 0x20 || c >= 0x80) {
          // Non-ASCII bytes are escaped one by one: the text may not be UTF-8, and the
          // JSON must stay valid.
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

std::string micros(Duration d) { return micros(TimePoint(d)); }

// A task's row: when it was created and ended, and how.
struct Lifetime {
  std::optional<TimePoint> created;
  std::optional<TimePoint> ended;
  TimePoint last_step_end{};  // a step charged after the end event still belongs inside
  std::string outcome;
};

bool is_end(LoopEvent::Kind k) {
  return k == LoopEvent::Kind::kTaskFinished || k == LoopEvent::Kind::kTaskFailed ||
         k == LoopEvent::Kind::kTaskCancelled;
}

}  // namespace

void export_chrome(const Trace& t, std::ostream& out) {
  const auto names = task_names(t);
  const TimePoint run_end = t.end                  ? t.end->end_time
                            : !t.decisions.empty() ? t.decisions.back().time
                                                   : TimePoint{};
  std::map<std::uint64_t, Lifetime> rows;
  rows[0];  // the loop
  for (const Decision& d : t.decisions) {
    Lifetime& row = rows[d.task];
    if (d.kind == DecisionKind::kStepCost)
      row.last_step_end = std::max(row.last_step_end, d.time + Duration(d.value));
  }
  for (const TraceLogLine& l : t.logs) rows[l.task];
  for (const TraceEvent& e : t.events) {
    Lifetime& row = rows[e.task];
    if (e.kind == LoopEvent::Kind::kTaskCreated) row.created = e.time;
    if (is_end(e.kind)) {
      row.ended = e.time;
      row.outcome = event_text(e, names);
    }
  }

  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":"
      << json_string(t.info.program + " seed " + std::to_string(t.info.seed) + " (" +
                     to_string(t.info.strategy.kind) + ")")
      << "}}";
  for (const auto& [task, row] : rows) {
    const auto name = names.find(task);
    const std::string label =
        task == 0 ? "loop"
                  : (name != names.end() ? name->second + " (task " + std::to_string(task) + ")"
                                         : "task " + std::to_string(task));
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << task
        << ",\"name\":\"thread_name\",\"args\":{\"name\":" << json_string(label) << "}}";
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << task
        << ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" << task << "}}";
    if (task == 0) {
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":0,\"dur\":"
          << micros(run_end.time_since_epoch()) << ",\"name\":"
          << json_string(!t.end      ? "run (trace truncated)"
                         : t.end->ok ? "run: main returned"
                                     : "run: " + t.end->error)
          << "}";
    } else if (row.created) {
      const TimePoint end = std::max(row.ended.value_or(run_end), row.last_step_end);
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":" << task << ",\"ts\":" << micros(*row.created)
          << ",\"dur\":" << micros(end - *row.created)
          << ",\"name\":" << json_string(name != names.end() ? name->second : label)
          << ",\"args\":{\"outcome\":"
          << json_string(row.ended ? row.outcome : "still pending at the end of the trace") << "}}";
    }
  }
  for (std::size_t i = 0; i < t.decisions.size(); ++i) {
    const Decision& d = t.decisions[i];
    if (d.kind == DecisionKind::kStepCost && d.value != 0)
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":" << d.task << ",\"ts\":" << micros(d.time)
          << ",\"dur\":" << micros(Duration(d.value)) << ",\"name\":\"step\",\"cat\":\"step\"}";
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" << d.task
        << ",\"ts\":" << micros(d.time) << ",\"name\":" << json_string(to_string(d.kind))
        << ",\"cat\":\"decision\",\"args\":{\"index\":" << i
        << ",\"site\":" << json_string(site_text(d.site, t.site_names)) << ",\"bound\":\""
        << d.bound << "\",\"value\":\"" << d.value << "\"}}";
  }
  for (const TraceLogLine& l : t.logs)
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" << l.task
        << ",\"ts\":" << micros(l.time) << ",\"name\":" << json_string(l.text)
        << ",\"cat\":\"log\"}";
  for (const TraceEvent& e : t.events)
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" << e.task
        << ",\"ts\":" << micros(e.time) << ",\"name\":" << json_string(event_text(e, names))
        << ",\"cat\":\"event\"}";
  out << "\n]}\n";
}

}  // namespace lockstep
