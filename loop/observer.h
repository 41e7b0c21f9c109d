// LoopObserver: what happens in a loop, for tools that watch a run (the trace recorder
// of sim/ and replay/, a debugger, a test).
//
//   struct Printer : lockstep::LoopObserver {
//     void on_event(const lockstep::LoopEvent& e) override {
//       std::printf("%s task %llu %s\n", lockstep::to_string(e.kind), e.task, e.text.data());
//     }
//   };
//   Printer p;
//   lockstep::Loop loop({.observer = &p});
//
// Observation only: an observer sees events as they happen and cannot change the run.
// With none installed each event point costs the loop one predictable branch.
#pragma once

#include <cstdint>
#include <string_view>

#include "loop/clock.h"

namespace lockstep {

struct LoopEvent {
  // Values are stored in traces: append, never renumber.
  enum class Kind : std::uint8_t {
    kTaskCreated = 1,      // task; other: the creating task (0: none); text: its name
    kTaskStarted = 2,      // task's first step
    kTaskFinished = 3,     // task returned
    kTaskFailed = 4,       // task raised; text: "Type: message"
    kTaskCancelled = 5,    // task ended cancelled; text: the cancel message
    kCancelRequested = 6,  // task.cancel() on a pending task; other: the task asking (0: none)
    kTaskRenamed = 7,      // set_name; text: the new name
    kTimerFired = 8,       // a timer came due; task: the task that armed it (0: none)
    kError = 9,            // the exception handler was called; task: its task, if any;
                           // text: "message: Type: what"
    kInjected = 10,        // a decision source acted at task's await; other: the
                           // AwaitAction; text: what, e.g. "gather cancelled at an await
                           // of Queue.get()"
    kTaskSuspended = 11,   // task suspended at an await; text: what it awaits ("Queue.get()
                           // of the Queue created at x.cc:3", "Task 'b'", "sleep(0.5s)"). Not
                           // for a bare yield (sleep(0)): the task stays ready.
    kTaskWoken = 12,       // what task awaited completed (or it was cancelled): it is ready
                           // again; other: the task whose step did it, or whose end it was
                           // (a task awaited, or a task ending under a gather's callback);
                           // text "timer": a timer's callback did it, other the task that
                           // armed the timer; other 0 and no text: a plain callback or an
                           // external completion
    kNetSend = 13,         // a simulated network message left: task = the sender (0: none);
                           // other = the message's number; text: "client:49152 ->
                           // server:7000 5 bytes" (or SYN, SYN-ACK, FIN, RST, "datagram ...")
    kNetReceive = 14,      // that message arrived; task 0 (the network delivers it); other =
                           // its number; text as its net_send's
    kNodeAdded = 15,       // Loop::add_node; other: the node's id; text: its name
    kNodeKilled = 16,      // Loop::kill_node (power loss); other: the node's id; text: its name
  };
  Kind kind;
  TimePoint time{};
  std::uint64_t task = 0;
  std::uint64_t other = 0;
  std::string_view text;  // valid only during on_event
  // kCancelRequested, kTaskCancelled: cancel() was given no message (text is ""), as
  // opposed to an empty one.
  bool no_message = false;
  // Nonzero: events of this run with the same text_id have the same text, so an
  // observer may key what it derives from the text on it (kTaskSuspended).
  std::uint64_t text_id = 0;
  // kTaskCreated: the node the task runs on (0: none). See loop/node.h.
  std::uint32_t node = 0;
};

// An event as the loop appends it to a batching observer's EventBatch (see LoopObserver).
struct BatchedEvent {
  TimePoint time;
  std::uint64_t task;
  std::uint64_t other;
  std::uint32_t text;  // 0: none; else the text last given for this number by on_batch_text
  LoopEvent::Kind kind;
  // Never written by the loop: zero as the observer made them, so that the last eight
  // bytes (text, kind and these) compare as one word.
  std::uint8_t zero[3] = {};
};
// The observer's storage; the loop appends at next while next != end.
struct EventBatch {
  BatchedEvent* next = nullptr;
  BatchedEvent* end = nullptr;
};

// "task_created", "timer_fired", ...; "unknown" for a value outside Kind.
const char* to_string(LoopEvent::Kind kind) noexcept;

class LoopObserver {
 public:
  virtual ~LoopObserver() = default;
  // Called on the loop's thread, in the order events happen; must not throw.
  virtual void on_event(const LoopEvent& event) noexcept = 0;
  // kTaskSuspended and kTaskWoken, the two events of every await that suspends, as their
  // fields (no_message false, node 0): a recorder that takes millions of them may override
  // this to skip building a LoopEvent and sorting it by kind. By default, on_event.
  virtual void on_wait_event(LoopEvent::Kind kind, TimePoint time, std::uint64_t task,
                             std::uint64_t other, std::string_view text,
                             std::uint64_t text_id) noexcept {
    on_event(LoopEvent{kind, time, task, other, text, false, text_id});
  }

  // Batching, for a recorder of millions of events (the trace writer): an observer that
  // returns a batch here (asked once, when the loop is made) gets the most frequent events,
  // kTaskSuspended, kTaskWoken and kTimerFired, appended to it as their fields, with no
  // call per event, instead of by on_wait_event / on_event. The loop writes *next++ and,
  // when next reaches end, calls on_batch_full(), which must take the events and make
  // room again. The observer must take what is in its batch before anything else it is
  // given (on_event, its own inputs), to keep the order of events. Texts go by number:
  // on_batch_text(number, text) says that the batched events from then on with that text
  // number have that text (until it is given again), and comes before them. A batch
  // serves one loop at a time (the numbers are that loop's).
  virtual EventBatch* event_batch() noexcept { return nullptr; }
  virtual void on_batch_full() noexcept {}
  virtual void on_batch_text(std::uint32_t /*number*/, std::string_view /*text*/) noexcept {}
};

}  // namespace lockstep
