#include "replay/chrome_export.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "replay/timeline.h"

namespace lockstep {

namespace {

// When the step a step_cost decision belongs to ended: its time plus its cost, at most the
// end of time (a crafted trace's value must not overflow it).
TimePoint step_end(const Decision& d) {
  std::int64_t ns = 0;
  if (d.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      __builtin_add_overflow(d.time.time_since_epoch().count(), static_cast<std::int64_t>(d.value),
                             &ns))
    return TimePoint::max();
  return TimePoint(Duration(ns));
}

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

// A span of a task's row: a step (running) or a wait between a suspension and a wakeup.
struct Span {
  TimePoint start, end;                   // as recorded
  double shown_start = 0, shown_end = 0;  // microseconds, laid out (see kMinSpanShare)
  bool running = false;
  std::string what;  // a wait: what the task awaits
  bool open = true;
};

// A task's row: when it was created and ended, and how; its steps and waits.
struct Row {
  std::optional<TimePoint> created;
  std::optional<TimePoint> ended;
  std::uint64_t created_by = 0;
  TimePoint last_step_end{};  // a step charged after the end event still belongs inside
  std::string outcome;
  std::vector<Span> spans;
  double cursor = 0;  // where the next span may start, in shown microseconds
};

// A flow arrow: from one row at a time to another row.
struct Flow {
  std::uint64_t from, to;
  double from_ts, to_ts;
  const char* name;  // "wakes", "cancels"
};

bool is_end(LoopEvent::Kind k) {
  return k == LoopEvent::Kind::kTaskFinished || k == LoopEvent::Kind::kTaskFailed ||
         k == LoopEvent::Kind::kTaskCancelled;
}

double us(TimePoint t) { return static_cast<double>(t.time_since_epoch().count()) / 1000.0; }

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Steps and wakeups often take no virtual time: each span is shown at least this share of
// the run wide (and the spans of a row laid out one after the other), so that a zero-time
// step is still a visible slice with its arrows. Recorded times are in the slices' args.
constexpr double kMinSpanShare = 1.0 / 250;

}  // namespace

void export_chrome(const Trace& t, std::ostream& out) {
  const auto names = task_names(t);
  const TimePoint run_end = t.end                  ? t.end->end_time
                            : !t.decisions.empty() ? t.decisions.back().time
                                                   : TimePoint{};
  const double min_width = std::max(us(run_end) * kMinSpanShare, 0.001);
  std::map<std::uint64_t, Row> rows;
  rows[0];  // the loop
  for (const Decision& d : t.decisions) {
    Row& row = rows[d.task];
    if (d.kind == DecisionKind::kStepCost)
      row.last_step_end = std::max(row.last_step_end, step_end(d));
  }
  for (const TraceLogLine& l : t.logs) rows[l.task];
  // The main task (the first the loop created) and the tasks the loop creates after it
  // ended: run()'s shutdown steps, which say nothing about the run and get no row.
  std::uint64_t main_task = 0;
  std::optional<TimePoint> main_end;
  std::set<std::uint64_t> hidden;
  for (const TraceEvent& e : t.events) {
    if (e.kind == LoopEvent::Kind::kTaskCreated && e.other == 0) {
      if (main_task == 0)
        main_task = e.task;
      else if (main_end)
        hidden.insert(e.task);
    }
    if (e.task == main_task && main_task != 0 && is_end(e.kind)) main_end = e.time;
  }
  auto shown = [&](std::uint64_t task) { return !hidden.count(task); };
  // One process per node of a simulated world (by name, across restarts), its tasks as
  // threads inside; everything else is the program's process, pid 1.
  std::map<std::string, int> node_pid;
  std::map<std::uint64_t, std::string> node_name_of;  // node id -> name
  std::map<std::uint64_t, int> task_pid;
  for (const TraceEvent& e : t.events) {
    if (e.kind == LoopEvent::Kind::kNodeAdded) {
      node_name_of[e.other] = e.text;
      node_pid.emplace(e.text, static_cast<int>(node_pid.size()) + 2);
    }
    if (e.kind == LoopEvent::Kind::kTaskCreated && e.node != 0) {
      const auto it = node_name_of.find(e.node);
      if (it != node_name_of.end()) task_pid[e.task] = node_pid[it->second];
    }
  }
  auto pid_of = [&](std::uint64_t task) {
    const auto it = task_pid.find(task);
    return it != task_pid.end() ? it->second : 1;
  };

  // Spans and flows, in the order the trace recorded them.
  auto open_span = [&](Row& row, TimePoint at, bool running, std::string what) {
    Span s{at, at, 0, 0, running, std::move(what)};
    s.shown_start = std::max(us(at), row.cursor);
    row.spans.push_back(std::move(s));
  };
  auto close_span = [&](Row& row, TimePoint at) {
    if (row.spans.empty() || !row.spans.back().open) return;
    Span& s = row.spans.back();
    s.open = false;
    s.end = std::max(s.end, at);
    s.shown_end = std::max(us(s.end), s.shown_start + min_width);
    row.cursor = s.shown_end;
  };
  // Where an arrow leaves `task`'s row at `at`: inside its latest span.
  auto leave_at = [&](std::uint64_t task, TimePoint at) {
    Row& row = rows[task];
    if (row.spans.empty()) return us(at);
    const Span& s = row.spans.back();
    if (s.open) return std::max(us(at), s.shown_start + min_width / 2);
    return std::max(s.shown_start, s.shown_end - min_width / 2);
  };
  std::vector<Flow> flows;
  // Simulated network messages: where each was sent (row, shown time), and the one just
  // received, whose arrow goes to the task its arrival wakes (else to the loop's row).
  std::map<std::uint64_t, std::pair<std::uint64_t, double>> sent;
  struct Arrived {
    bool pending = false;  // a net_receive whose wakeups are still being looked for
    std::uint64_t message = 0;
    TimePoint at{};
    bool woke = false;
  } arrived;
  auto end_arrival = [&] {
    if (!arrived.pending) return;
    const auto it = sent.find(arrived.message);
    if (!arrived.woke && it != sent.end())
      flows.push_back({it->second.first, 0, it->second.second, us(arrived.at), "message"});
    arrived.pending = false;
  };
  for (const TimelineEntry& entry : timeline(t)) {
    if (entry.source == TimelineEntry::Source::kDecision) {
      const Decision& d = t.decisions[entry.index];
      // The step that just ran took this long: it ends later, and the wait after it too.
      if (d.kind != DecisionKind::kStepCost || d.value == 0 || !shown(d.task)) continue;
      Row& row = rows[d.task];
      const TimePoint ended = step_end(d);
      for (auto it = row.spans.rbegin(); it != row.spans.rend(); ++it) {
        if (!it->running) continue;
        it->end = std::max(it->end, ended);
        if (!it->open) it->shown_end = std::max(it->shown_end, us(ended));
        row.cursor = std::max(row.cursor, it->shown_end);
        break;
      }
      if (!row.spans.empty() && !row.spans.back().running && row.spans.back().open) {
        Span& wait = row.spans.back();
        wait.start = std::max(wait.start, ended);
        wait.shown_start = std::max(wait.shown_start, row.cursor);
      }
      continue;
    }
    if (entry.source != TimelineEntry::Source::kEvent) continue;
    const TraceEvent& e = t.events[entry.index];
    if (e.kind != LoopEvent::Kind::kTaskWoken) end_arrival();
    if (!shown(e.task)) continue;
    Row& row = rows[e.task];
    switch (e.kind) {
      case LoopEvent::Kind::kNetSend:
        sent[e.other] = {e.task, leave_at(e.task, e.time)};
        break;
      case LoopEvent::Kind::kNetReceive:
        arrived = Arrived{true, e.other, e.time, false};
        break;
      case LoopEvent::Kind::kTaskCreated:
        row.created = e.time;
        row.created_by = e.other;
        row.cursor = us(e.time);
        break;
      case LoopEvent::Kind::kTaskStarted:
        open_span(row, e.time, true, "");
        break;
      case LoopEvent::Kind::kTaskSuspended:
        close_span(row, e.time);
        open_span(row, e.time, false, e.text.empty() ? "?" : e.text);
        break;
      case LoopEvent::Kind::kTaskWoken: {
        close_span(row, e.time);
        const double to_ts = row.cursor;
        open_span(row, e.time, true, "");
        if (arrived.pending) {
          // Woken by a message's arrival: the arrow comes from where it was sent.
          const auto it = sent.find(arrived.message);
          if (it != sent.end() && shown(it->second.first)) {
            flows.push_back({it->second.first, e.task, it->second.second, to_ts, "message"});
            arrived.woke = true;
            break;
          }
        }
        if (e.other != 0 && e.other != e.task && shown(e.other) && rows.count(e.other))
          flows.push_back({e.other, e.task, leave_at(e.other, e.time), to_ts,
                           e.text == "timer" ? "timer wakes" : "wakes"});
        break;
      }
      case LoopEvent::Kind::kCancelRequested:
        if (e.other != 0 && e.other != e.task && shown(e.other) && rows.count(e.other))
          flows.push_back({e.other, e.task, leave_at(e.other, e.time),
                           std::max(us(e.time), row.cursor), "cancels"});
        break;
      default:
        if (is_end(e.kind)) {
          close_span(row, e.time);
          row.ended = e.time;
          row.outcome = event_text(e, names);
        }
    }
  }
  end_arrival();
  for (auto& [task, row] : rows)
    close_span(row, std::max(row.ended.value_or(run_end), row.last_step_end));

  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":"
      << json_string(t.info.program + " seed " + std::to_string(t.info.seed) + " (" +
                     to_string(t.info.strategy.kind) + ")")
      << "}}";
  for (const auto& [name, pid] : node_pid) {
    out << ",\n{\"ph\":\"M\",\"pid\":" << pid
        << ",\"name\":\"process_name\",\"args\":{\"name\":" << json_string("node " + name) << "}}";
    out << ",\n{\"ph\":\"M\",\"pid\":" << pid
        << ",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":" << pid << "}}";
  }
  for (const TraceEvent& e : t.events) {
    if (e.kind != LoopEvent::Kind::kNodeAdded && e.kind != LoopEvent::Kind::kNodeKilled) continue;
    const auto it = node_pid.find(e.text);
    if (it == node_pid.end()) continue;
    out << ",\n{\"ph\":\"i\",\"s\":\"p\",\"pid\":" << it->second
        << ",\"tid\":0,\"ts\":" << micros(e.time) << ",\"name\":"
        << json_string(e.kind == LoopEvent::Kind::kNodeAdded ? e.text + " powered on"
                                                             : e.text + " lost power")
        << ",\"cat\":\"node\"}";
  }
  for (const auto& [task, row] : rows) {
    if (!shown(task)) continue;
    const auto name = names.find(task);
    const std::string task_name =
        name != names.end() ? name->second : "task " + std::to_string(task);
    std::string label =
        task == 0 ? "loop"
                  : (name != names.end() ? name->second + " (task " + std::to_string(task) + ")"
                                         : "task " + std::to_string(task));
    if (task != 0 && main_end && row.created && *row.created > *main_end)
      label += " (after main ended)";
    out << ",\n{\"ph\":\"M\",\"pid\":" << pid_of(task) << ",\"tid\":" << task
        << ",\"name\":\"thread_name\",\"args\":{\"name\":" << json_string(label) << "}}";
    out << ",\n{\"ph\":\"M\",\"pid\":" << pid_of(task) << ",\"tid\":" << task
        << ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" << task << "}}";
    if (task == 0) {
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":0,\"dur\":"
          << micros(run_end.time_since_epoch()) << ",\"name\":"
          << json_string(!t.end      ? "run (trace truncated)"
                         : t.end->ok ? "run: main returned"
                                     : "run: " + t.end->error)
          << "}";
      continue;
    }
    if (!row.created) continue;
    const TimePoint end = std::max(row.ended.value_or(run_end), row.last_step_end);
    const double life_end = std::max(us(end), row.cursor);
    const std::string outcome = row.ended ? row.outcome : "still pending at the end of the trace";
    out << ",\n{\"ph\":\"X\",\"pid\":" << pid_of(task) << ",\"tid\":" << task
        << ",\"ts\":" << micros(*row.created) << ",\"dur\":" << num(life_end - us(*row.created))
        << ",\"name\":" << json_string(task_name + ": " + outcome) << ",\"cat\":\"task\""
        << ",\"args\":{\"outcome\":" << json_string(outcome) << "}}";
    for (const Span& s : row.spans) {
      out << ",\n{\"ph\":\"X\",\"pid\":" << pid_of(task) << ",\"tid\":" << task
          << ",\"ts\":" << num(s.shown_start) << ",\"dur\":" << num(s.shown_end - s.shown_start)
          << ",\"name\":" << json_string(s.running ? "running" : "waiting on " + s.what)
          << (s.running ? ",\"cat\":\"running\",\"cname\":\"thread_state_running\""
                        : ",\"cat\":\"waiting\",\"cname\":\"thread_state_iowait\"")
          << ",\"args\":{\"from\":" << json_string(format_seconds(s.start))
          << ",\"to\":" << json_string(format_seconds(s.end)) << "}}";
    }
  }
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Flow& f = flows[i];
    out << ",\n{\"ph\":\"s\",\"id\":" << i + 1 << ",\"pid\":" << pid_of(f.from)
        << ",\"tid\":" << f.from << ",\"ts\":" << num(f.from_ts)
        << ",\"name\":" << json_string(f.name) << ",\"cat\":\"flow\"}";
    out << ",\n{\"ph\":\"f\",\"id\":" << i + 1 << ",\"pid\":" << pid_of(f.to) << ",\"tid\":" << f.to
        << ",\"ts\":" << num(f.to_ts) << ",\"name\":" << json_string(f.name)
        << ",\"cat\":\"flow\"}";
  }
  for (std::size_t i = 0; i < t.decisions.size(); ++i) {
    const Decision& d = t.decisions[i];
    if (!shown(d.task)) continue;
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":" << pid_of(d.task) << ",\"tid\":" << d.task
        << ",\"ts\":" << micros(d.time) << ",\"name\":" << json_string(to_string(d.kind))
        << ",\"cat\":\"decision\",\"args\":{\"index\":" << i
        << ",\"site\":" << json_string(site_text(d.site, t.site_names)) << ",\"bound\":\""
        << d.bound << "\",\"value\":\"" << d.value << "\"}}";
  }
  for (const TraceLogLine& l : t.logs)
    if (shown(l.task))
      out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":" << pid_of(l.task) << ",\"tid\":" << l.task
          << ",\"ts\":" << micros(l.time) << ",\"name\":" << json_string(l.text)
          << ",\"cat\":\"log\"}";
  for (const TraceEvent& e : t.events) {
    // Suspensions and wakeups are the spans and arrows above.
    if (!shown(e.task) || e.kind == LoopEvent::Kind::kTaskSuspended ||
        e.kind == LoopEvent::Kind::kTaskWoken)
      continue;
    out << ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":" << pid_of(e.task) << ",\"tid\":" << e.task
        << ",\"ts\":" << micros(e.time) << ",\"name\":" << json_string(event_text(e, names))
        << ",\"cat\":"
        << (e.kind == LoopEvent::Kind::kTimerFired ? "\"timer\""
            : e.kind == LoopEvent::Kind::kNetSend || e.kind == LoopEvent::Kind::kNetReceive
                ? "\"net\""
                : "\"event\"")
        << "}";
  }
  out << "\n]}\n";
}

}  // namespace lockstep
