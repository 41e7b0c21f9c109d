#include "replay/timeline.h"

#include <cstdio>

namespace lockstep {

namespace {

void apply_name(const TraceEvent& e, std::map<std::uint64_t, std::string>& names) {
  if (e.kind == LoopEvent::Kind::kTaskCreated || e.kind == LoopEvent::Kind::kTaskRenamed)
    names[e.task] = e.text;
}

std::string with_message(const char* what, const std::string& message) {
  return message.empty() ? what : std::string(what) + ": " + message;
}

// A cancel message: none, an empty one (shown as ''), or its text.
std::string with_cancel_message(const std::string& what, const TraceEvent& e) {
  if (e.text.empty()) return e.no_message ? what : what + ": ''";
  return what + ": " + e.text;
}

}  // namespace

std::string format_seconds(TimePoint t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6fs", to_seconds(t));
  return buf;
}

std::string decision_text(const Decision& d,
                          const std::map<std::uint64_t, std::string>& site_names) {
  const auto name = site_names.find(d.site);
  std::string s = std::string(to_string(d.kind)) +
                  " site=" + (name != site_names.end() ? name->second : std::to_string(d.site)) +
                  " bound=" + std::to_string(d.bound) + " value=" + std::to_string(d.value);
  if (is_duration(d.kind) && d.value != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.3fms)", static_cast<double>(d.value) / 1e6);
    s += buf;
  }
  return s + ordinal_text(d);
}

std::string task_label(std::uint64_t task, const std::map<std::uint64_t, std::string>& names) {
  if (task == 0) return "loop";
  const auto it = names.find(task);
  std::string s = "task " + std::to_string(task);
  if (it != names.end() && !it->second.empty()) s += " '" + it->second + "'";
  return s;
}

std::string event_text(const TraceEvent& e, const std::map<std::uint64_t, std::string>& names) {
  switch (e.kind) {
    case LoopEvent::Kind::kTaskCreated:
      return "created" + (e.other ? " by " + task_label(e.other, names) : std::string());
    case LoopEvent::Kind::kTaskStarted:
      return "started";
    case LoopEvent::Kind::kTaskFinished:
      return "finished";
    case LoopEvent::Kind::kTaskFailed:
      return with_message("failed", e.text);
    case LoopEvent::Kind::kTaskCancelled:
      return with_cancel_message("cancelled", e);
    case LoopEvent::Kind::kCancelRequested:
      return with_cancel_message(
          "cancel requested" + (e.other ? " by " + task_label(e.other, names) : std::string()), e);
    case LoopEvent::Kind::kTaskRenamed:
      return "renamed '" + e.text + "'";
    case LoopEvent::Kind::kTimerFired:
      return "timer fired";
    case LoopEvent::Kind::kError:
      return with_message("error", e.text);
    case LoopEvent::Kind::kInjected:
      return with_message("injected", e.text);
    case LoopEvent::Kind::kTaskSuspended:
      return e.text.empty() ? "suspended" : "waiting on " + e.text;
    case LoopEvent::Kind::kTaskWoken:
      if (e.text == "timer") {
        if (e.other == e.task) return "woken by its timer";
        return e.other ? "woken by a timer of " + task_label(e.other, names) : "woken by a timer";
      }
      return e.other ? "woken by " + task_label(e.other, names) : "woken";
    case LoopEvent::Kind::kNetSend:
      return "sent #" + std::to_string(e.other) + " " + e.text;
    case LoopEvent::Kind::kNetReceive:
      return "received #" + std::to_string(e.other) + " " + e.text;
    case LoopEvent::Kind::kNodeAdded:
      return "node '" + e.text + "' powered on (node #" + std::to_string(e.other) + ")";
    case LoopEvent::Kind::kNodeKilled:
      return "node '" + e.text + "' lost power (node #" + std::to_string(e.other) + ")";
  }
  return "unknown event " + std::to_string(static_cast<unsigned>(e.kind)) +
         (e.text.empty() ? "" : ": " + e.text);
}

std::string timeline_tag(const TimelineEntry& entry) {
  const char prefix = entry.source == TimelineEntry::Source::kDecision ? 'd'
                      : entry.source == TimelineEntry::Source::kEvent  ? 'e'
                                                                       : 'l';
  return prefix + std::to_string(entry.index);
}

std::map<std::uint64_t, std::string> task_names(const Trace& trace) {
  std::map<std::uint64_t, std::string> names;
  for (const TraceEvent& e : trace.events) apply_name(e, names);
  return names;
}

std::vector<TimelineEntry> timeline(const Trace& trace) {
  std::vector<TimelineEntry> out;
  out.reserve(trace.decisions.size() + trace.logs.size() + trace.events.size());
  std::map<std::uint64_t, std::string> names;
  std::map<std::uint64_t, std::string> node_names;  // node id -> its name
  std::map<std::uint64_t, std::string> task_nodes;  // task -> its node's name
  // "task 4 'Task-2' on n1": tasks of a simulated world's nodes say where they run.
  auto who_is = [&](std::uint64_t task) {
    std::string who = task_label(task, names);
    if (const auto it = task_nodes.find(task); it != task_nodes.end()) who += " on " + it->second;
    return who;
  };
  std::size_t l = 0, e = 0;
  // Log lines and events in their sequence, each before the decision it preceded.
  auto flush_notes_before = [&](std::size_t decision) {
    while (true) {
      const bool log_due = l < trace.logs.size() && trace.logs[l].after_decisions <= decision;
      const bool event_due = e < trace.events.size() && trace.events[e].after_decisions <= decision;
      if (!log_due && !event_due) return;
      if (log_due && (!event_due || trace.logs[l].sequence < trace.events[e].sequence)) {
        const TraceLogLine& x = trace.logs[l];
        out.push_back(
            {TimelineEntry::Source::kLog, l, x.time, x.task, who_is(x.task), "log: " + x.text});
        ++l;
      } else {
        const TraceEvent& x = trace.events[e];
        // A task is created with its name; a rename is done by the task as it was called.
        if (x.kind == LoopEvent::Kind::kTaskCreated) {
          apply_name(x, names);
          if (x.node != 0) {
            const auto it = node_names.find(x.node);
            task_nodes[x.task] =
                it != node_names.end() ? it->second : "node #" + std::to_string(x.node);
          }
        }
        if (x.kind == LoopEvent::Kind::kNodeAdded) node_names[x.other] = x.text;
        std::string who = who_is(x.task);
        apply_name(x, names);
        out.push_back({TimelineEntry::Source::kEvent, e, x.time, x.task, std::move(who),
                       event_text(x, names)});
        ++e;
      }
    }
  };
  for (std::size_t d = 0; d < trace.decisions.size(); ++d) {
    flush_notes_before(d);
    const Decision& x = trace.decisions[d];
    out.push_back({TimelineEntry::Source::kDecision, d, x.time, x.task, who_is(x.task),
                   "decision #" + std::to_string(d) + " " + decision_text(x, trace.site_names)});
  }
  flush_notes_before(static_cast<std::size_t>(-1));
  return out;
}

std::vector<std::string> context_before(const Trace& trace, std::size_t decision,
                                        std::size_t lines) {
  const std::vector<TimelineEntry> all = timeline(trace);
  std::size_t cut = 0;
  while (cut < all.size() &&
         !(all[cut].source == TimelineEntry::Source::kDecision && all[cut].index >= decision))
    ++cut;
  std::vector<std::string> out;
  for (std::size_t k = cut > lines ? cut - lines : 0; k < cut; ++k)
    out.push_back(timeline_tag(all[k]) + "  " + format_seconds(all[k].time) + "  " + all[k].who +
                  "  " + all[k].what);
  return out;
}

}  // namespace lockstep
