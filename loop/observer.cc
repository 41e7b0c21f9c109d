#include "loop/observer.h"

namespace lockstep {

const char* to_string(LoopEvent::Kind kind) noexcept {
  switch (kind) {
    case LoopEvent::Kind::kTaskCreated:
      return "task_created";
    case LoopEvent::Kind::kTaskStarted:
      return "task_started";
    case LoopEvent::Kind::kTaskFinished:
      return "task_finished";
    case LoopEvent::Kind::kTaskFailed:
      return "task_failed";
    case LoopEvent::Kind::kTaskCancelled:
      return "task_cancelled";
    case LoopEvent::Kind::kCancelRequested:
      return "cancel_requested";
    case LoopEvent::Kind::kTaskRenamed:
      return "task_renamed";
    case LoopEvent::Kind::kTimerFired:
      return "timer_fired";
    case LoopEvent::Kind::kError:
      return "error";
    case LoopEvent::Kind::kInjected:
      return "injected";
    case LoopEvent::Kind::kTaskSuspended:
      return "task_suspended";
    case LoopEvent::Kind::kTaskWoken:
      return "task_woken";
    case LoopEvent::Kind::kNetSend:
      return "net_send";
    case LoopEvent::Kind::kNetReceive:
      return "net_receive";
    case LoopEvent::Kind::kNodeAdded:
      return "node_added";
    case LoopEvent::Kind::kNodeKilled:
      return "node_killed";
  }
  return "unknown";
}

}  // namespace lockstep
