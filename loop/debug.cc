#include "loop/debug.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <typeinfo>
#include <vector>

#include "loop/handle.h"
#include "loop/internal/future_base.h"
#include "loop/internal/task_base.h"

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

namespace lockstep {

namespace internal {

// Loop's friend: reads its queues and registry, changes nothing.
class DebugView {
 public:
  static std::string tasks(const Loop& loop) {
    std::vector<const ReadyNode*> ready = ready_nodes(loop);
    std::string s;
    std::size_t n = 0;
    for (const TaskBase* t = loop.first_task_; t; t = t->next_task_) {
      ++n;
      s += "  " + task_label(loop, *t) + ": ";
      const auto queued = std::find(ready.begin(), ready.end(), static_cast<const ReadyNode*>(t));
      if (t == loop.current_task_) {
        s += "running";
      } else if (queued != ready.end()) {
        // Woken: what it awaited completed (or it was cancelled); it resumes there.
        s += std::string(t->steps_taken() == 0 ? "not started, " : "") + "ready (#" +
             std::to_string(queued - ready.begin() + 1) + " in the ready queue)";
        if (const FutureBase* w = t->waiting_on()) s += ", woken from its wait on " + w->diagnose();
      } else if (const FutureBase* w = t->waiting_on()) {
        s += "waiting on " + w->diagnose();
      } else {
        // Neither queued nor waiting nor current: taken off the ready queue, its step
        // (TaskBase::step) under way but its coroutine not yet resumed.
        s += t->steps_taken() == 0 ? "about to take its first step" : "about to step";
      }
      if (t->cancelling() > 0) s += ", cancel requested";
      s += '\n';
    }
    return "tasks (" + std::to_string(n) + "):\n" + s;
  }

  static std::string ready(const Loop& loop) {
    const std::vector<const ReadyNode*> ready = ready_nodes(loop);
    std::string s = "ready queue (" + std::to_string(ready.size()) + ", runs first to last):\n";
    std::size_t i = 0;
    for (const ReadyNode* node : ready) {
      s += "  " + std::to_string(++i) + ". ";
      if (const auto* t = dynamic_cast<const TaskBase*>(node)) {
        s += task_label(loop, *t) + " (its next step)";
      } else if (const auto* timer = dynamic_cast<const TimerNode*>(node)) {
        s += std::string(timer->cancelled() ? "cancelled " : "") + "timer callback " +
             type_name(*node);
      } else {
        s += "callback " + type_name(*node);
      }
      s += '\n';
    }
    return s;
  }

  static std::string timers(const Loop& loop) {
    std::vector<Loop::TimerEntry> live;
    for (const Loop::TimerEntry& e : loop.timers_)
      if (!e.node->cancelled()) live.push_back(e);
    std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
      return a.due != b.due ? a.due < b.due : a.seq < b.seq;
    });
    std::string s = "timers (" + std::to_string(live.size()) + ", in firing order):\n";
    for (const Loop::TimerEntry& e : live) {
      s += "  due " + seconds(e.due) + " (in " + seconds_of(e.due - loop.global_time()) + ")";
      s += ": " + type_name(*e.node) + "\n";
    }
    return s;
  }

  static std::string time(const Loop& loop) {
    std::string s = "virtual time: " + seconds(loop.global_time()) + " (global), " +
                    std::to_string(loop.steps_) + " steps run\n";
    for (NodeId node = 1; node <= loop.node_count(); ++node) {
      s += "  node " + std::to_string(node) + " '" + loop.node_name(node) + "'";
      if (!loop.node_alive(node))
        s += ": powered off";
      else
        s += ": " + seconds(loop.node_clock(node).to_local(loop.global_time())) + " local";
      if (node == loop.current_node()) s += " (current)";
      s += '\n';
    }
    if (loop.current_task_)
      s += "  running: " + task_label(loop, *loop.current_task_) + "\n";
    else
      s += "  running: no task (the loop itself, or a callback)\n";
    return s;
  }

 private:
  static std::vector<const ReadyNode*> ready_nodes(const Loop& loop) {
    std::vector<const ReadyNode*> out;
    for (const ReadyNode* n = loop.ready_.front(); n; n = loop.ready_.next(n)) out.push_back(n);
    return out;
  }
  static std::string task_label(const Loop& loop, const TaskBase& t) {
    std::string s = "task " + std::to_string(t.id()) + " '" + t.name() + "'";
    if (t.node() != kNoNode) s += " on " + loop.node_name(t.node());
    return s;
  }
  static std::string type_name(const ReadyNode& node) {
    const char* mangled = typeid(node).name();
    std::string s = mangled;
#if __has_include(<cxxabi.h>)
    int status = 0;
    if (char* d = abi::__cxa_demangle(mangled, nullptr, nullptr, &status)) {
      s = d;
      std::free(d);
    }
#endif
    constexpr std::size_t kMax = 200;  // a lambda's type names its whole enclosing function
    if (s.size() > kMax) s = s.substr(0, kMax) + "...";
    return s;
  }
  static std::string seconds(TimePoint t) { return seconds_of(t.time_since_epoch()); }
  static std::string seconds_of(Duration d) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6fs", to_seconds(d));
    return buf;
  }
};

}  // namespace internal

std::string debug_state(const Loop& loop, std::string_view what) {
  using internal::DebugView;
  if (what == "tasks") return DebugView::tasks(loop);
  if (what == "ready") return DebugView::ready(loop);
  if (what == "timers") return DebugView::timers(loop);
  if (what == "time") return DebugView::time(loop);
  if (what == "all" || what.empty())
    return DebugView::time(loop) + DebugView::tasks(loop) + DebugView::ready(loop) +
           DebugView::timers(loop);
  return "lockstep_debug: unknown part '" + std::string(what) +
         "': want tasks, ready, timers, time or all\n";
}

}  // namespace lockstep

extern "C" [[gnu::used]] const char* lockstep_debug(const char* what) {
  static thread_local std::string text;
  const lockstep::Loop* loop = lockstep::Loop::current();
  text = loop ? lockstep::debug_state(*loop, what ? what : "all")
              : "no loop is running on this thread\n";
  return text.c_str();
}
