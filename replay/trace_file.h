// Trace files: write a simulated run as it happens; read one back, or say exactly why not.
//
//   lockstep::TraceWriter writer("run.trace", {.seed = 7, .program = "my_test"});
//   lockstep::SimulationOptions o{.seed = 7};
//   o.trace = &writer;
//   auto run = lockstep::simulate(program, o);
//   writer.finish(run);                                    // the End record
//
//   lockstep::Trace t = lockstep::read_trace("run.trace");   // throws TraceError
//   auto again = lockstep::replay(program, t.decisions, t.simulation_options());
//
// Format: replay/trace.proto. Records are streamed into a 64 KiB block, written out
// when full, on every log line and error event, and at finish(): a run that dies leaves
// a file readable up to its last written record, which read_trace() reports as
// truncated rather than failing. Every block carries a CRC-32C (format 4; format 3 had one
// per record): a block damaged after it was written is a TraceCorruptError naming its
// offset, and
//
//   lockstep::Trace t = lockstep::read_trace("run.trace", {.salvage = true});
//
// reads every intact block around the damage, listing what it skipped in t.gaps.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loop/clock.h"
#include "sim/decision.h"
#include "sim/simulation.h"
#include "sim/strategy.h"
#include "sim/trace_sink.h"

namespace lockstep {

// The trace format this lockstep writes; a reader refuses newer ones.
// Version 2 added loop events (EventRecord); version 3 texts by reference
// (EventRecord.text_ref) and a checksum per record; version 4 packed decisions and events
// in checksummed blocks; version 5 records a step's cost and a timer's lateness only when
// not 0, with the ordinal of the request (the task's n-th step, the run's n-th timer).
// Version 6 writes a run of events that repeat earlier ones of their block (a ping-pong's
// suspensions and wakeups) as one record; version 7 moves the clock on by a step's cost
// (the records after it are at that time). Versions 1 to 6 are still read (the zero step
// costs and timer delays of 1 to 4 are dropped as they are read).
inline constexpr std::uint32_t kTraceFormatVersion = 7;
inline constexpr const char* kLockstepVersion = "0.1.0";

// A trace file could not be written or read. what() is one line naming the file and the
// problem.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A block of a format-4 trace (a record of a format-3 one) was damaged after it was
// written (its checksum fails, or its length is impossible, and more of the file
// follows): not a run that died mid-write. Reading with {.salvage = true} skips it.
// what(): "FILE: corrupt block at offset N (...)" ("corrupt record" in format 3).
class TraceCorruptError : public TraceError {
 public:
  TraceCorruptError(const std::string& what, std::uint64_t offset)
      : TraceError(what), offset_(offset) {}
  // The byte offset in the file where the damaged block (or record) starts.
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  std::uint64_t offset_;
};

// What a trace says about its run, besides the decisions.
struct TraceInfo {
  std::uint64_t seed = 0;
  StrategyOptions strategy;
  std::string program;  // identity of what ran; replay_trace checks it
  std::map<std::string, std::string> labels;
  std::string fault_plan;  // the run's fault plan as text (FaultInjector::text), or ""
};

// Log lines and loop events keep their place in the stream: `after_decisions` is the
// number of decisions recorded before them, `sequence` their order among log lines and
// events (from 0).
struct TraceLogLine {
  TimePoint time{};
  std::uint64_t task = 0;
  std::string text;
  std::size_t after_decisions = 0;
  std::size_t sequence = 0;
};

struct TraceEvent {
  LoopEvent::Kind kind{};  // may be a kind this lockstep does not know (to_string: "unknown")
  TimePoint time{};
  std::uint64_t task = 0;
  std::uint64_t other = 0;
  std::string text;
  std::size_t after_decisions = 0;
  std::size_t sequence = 0;
  // No text was recorded (for cancel events: cancel() had no message, not an empty one).
  bool no_message = false;
  std::uint32_t node = 0;  // task_created: the node the task runs on (0: none)
};

struct TraceEnd {
  bool ok = false;
  std::string error;
  TimePoint end_time{};
  std::uint64_t steps = 0;
  std::uint64_t decisions = 0;
  std::uint64_t schedule_digest = 0;  // format 5 (SimulationResult::schedule_digest); 0: none
};

// Bytes a salvaging read skipped: from the damaged block (format 3: record) at `offset` to
// the next one whose checksum holds (or the end of the file), `end` exclusive.
struct TraceGap {
  std::uint64_t offset = 0;
  std::uint64_t end = 0;
  std::size_t after_decisions = 0;  // decisions read before the gap
  std::string why;                  // "checksum mismatch", ...
};

struct Trace {
  std::uint32_t format_version = 0;
  std::string lockstep_version;
  TraceInfo info;
  std::vector<Decision> decisions;
  std::vector<TraceLogLine> logs;
  std::vector<TraceEvent> events;
  std::map<std::uint64_t, std::string> site_names;  // decision site -> "file:line"
  std::optional<TraceEnd> end;  // none: the run did not finish writing (truncated)
  std::string truncation;       // why reading stopped early, or ""
  // Salvaging reads only: damaged bytes skipped, in file order. Decisions after the first
  // gap cannot be trusted for replay (the skipped ones are missing, so later decisions
  // answer other questions), and times after a gap lack the skipped records' time deltas.
  std::vector<TraceGap> gaps;

  // Options that replay this trace: its seed, strategy and fault plan. TraceError if the
  // plan names an error type this binary has not registered.
  SimulationOptions simulation_options() const;
};

class TraceWriter final : public TraceSink {
 public:
  // Creates (truncates) `path` and writes the header. TraceError if it cannot.
  TraceWriter(const std::string& path, TraceInfo info);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void on_decision(const Decision& d) override;
  void on_log(TimePoint time, std::uint64_t task, std::string_view text) override;
  void on_event(const LoopEvent& e) noexcept override;
  void on_wait_event(LoopEvent::Kind kind, TimePoint time, std::uint64_t task, std::uint64_t other,
                     std::string_view text, std::uint64_t text_id) noexcept override;
  void on_site(std::uint64_t site, std::string_view name) override;
  // Suspensions, wakeups and timers firing come in batches (see LoopObserver): the loop
  // appends them without a call each, and they are encoded together, before anything
  // else this writer is given.
  EventBatch* event_batch() noexcept override { return &batch_; }
  void on_batch_full() noexcept override;
  void on_batch_text(std::uint32_t number, std::string_view text) noexcept override;
  // Writes the End record and flushes. The trace is complete after this.
  void finish(const TraceEnd& end);
  template <class T>
  void finish(const SimulationResult<T>& run) {
    finish(TraceEnd{run.outcome.ok(),
                    run.outcome.ok() ? std::string() : describe_exception(run.outcome.exception()),
                    run.end_time, run.steps, static_cast<std::uint64_t>(run.decisions.size()),
                    run.schedule_digest});
  }
  // Bytes written so far (header included).
  std::uint64_t bytes() const noexcept { return bytes_; }
  const std::string& path() const noexcept { return path_; }

 private:
  // The buffer is one block (format 4): its header, records, and room for its checksum.
  // A write(2) per 64 KiB of records: small enough to stay in the L2 cache between being
  // encoded, checksummed and copied out (256 KiB measured slower).
  static constexpr std::size_t kBufferBytes = 64 * 1024;
  // Room for a record of up to n bytes at buffer_ + used_ (n <= kMaxInBlock), sealing and
  // writing the block first if it would not fit.
  char* room(std::size_t n) {
    if (kBufferBytes - kBlockTrailer - used_ < n) [[unlikely]]
      flush();
    return buffer_.get() + used_;
  }
  // A packed record (a decision or an event) always fits: the block is written out as
  // soon as less room than that is left (after_packed), so encoding one needs no check
  // and no call before it, and keeps its registers (a call there made every record save
  // and restore them).
  static constexpr std::size_t kMaxPacked = 1 + 1 + 1 + 6 * 10;  // length, header, kind
  char* packed_room() noexcept { return buffer_.get() + used_; }
  void after_packed(std::size_t n) {
    used_ += n;
    if (kBufferBytes - kBlockTrailer - used_ < kMaxPacked) [[unlikely]]
      flush();
  }
  // One record whose bytes are `head` then `tail` (either may be empty), framed (its
  // varint length first) into the block; a record too big for a block gets one of its own.
  void append_record(std::string_view head, std::string_view tail = {});
  void write_record(const std::string& serialized) { append_record(serialized); }
  [[gnu::always_inline]] void write_event(const LoopEvent& e);
  [[gnu::always_inline]] void write_packed_event(LoopEvent::Kind kind, TimePoint time,
                                                 std::uint64_t task, std::uint64_t other,
                                                 std::uint64_t text_ref, std::uint32_t node);
  [[gnu::always_inline]] void write_packed_event(const LoopEvent& e, std::uint64_t text_ref);
  // The packed record of a batched event at `out` (room for kMaxPacked bytes); returns
  // its end. `last_time` is the previous record's time, and becomes this one's.
  [[gnu::always_inline]] static char* encode_batched(char* out, const BatchedEvent& e,
                                                     TimePoint& last_time,
                                                     std::uint64_t text_ref) noexcept;
  // Returns the number the text is known by from now on (0: none; it is written again).
  [[gnu::noinline]] std::uint64_t write_event_with_text(const LoopEvent& e);
  // Encodes the batched events and the decisions among them, if any (the batch is empty
  // after, even if that threw).
  void take_batch() {
    if (batch_.next != batch_written_ || pending_count_ != 0) [[unlikely]]
      write_batch();
  }
  void write_batch();
  void write_batch_and_decisions(const BatchedEvent* e, const BatchedEvent* end);
  void write_batch_events(const BatchedEvent* e, const BatchedEvent* end);
  // A decision's packed record.
  void write_decision(const Decision& d);
  // A noexcept entry point's take_batch: a write error is kept for finish().
  void take_batch_noexcept() noexcept;
  void write_out(const char* data, std::size_t n);
  // Seals the block in the buffer (its length and checksum) and writes it; nothing if it
  // holds no record.
  void flush();
  static constexpr std::size_t kBlockHeader = 5;   // marker byte, 4-byte length
  static constexpr std::size_t kBlockTrailer = 4;  // CRC-32
  static constexpr std::size_t kMaxInBlock = kBufferBytes - kBlockHeader - kBlockTrailer;

  std::string path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;  // kBufferBytes; records are encoded in place
  std::size_t used_ = kBlockHeader;
  std::uint64_t bytes_ = 0;
  TimePoint last_time_{};
  // A decision whose bound is the strategy's maximum for its kind (duration_bound) codes
  // no bound: by kind.
  std::array<std::uint64_t, static_cast<std::size_t>(kMaxDecisionKind) + 1> usual_bound_{};
  std::string write_error_;  // an on_event that could not write: thrown by finish()
  // Texts of events that repeat (what tasks wait on), by their number among the events
  // written with a text (EventRecord.text_ref); at most kMaxInterned of them.
  static constexpr std::size_t kMaxInterned = 1 << 16;
  // An open-addressing table (looked up once per suspension and wakeup of a recorded
  // run: std::unordered_map's hashing, modulo and node chasing were a tenth of recording
  // a ping-pong), never iterated.
  class TextTable {
   public:
    // The number stored for `text`, or 0 if there is none.
    std::uint64_t find(std::string_view text) const noexcept;
    // Stores `number` (> 0) for `text`, which is not there yet.
    void insert(std::string_view text, std::uint64_t number);
    std::size_t size() const noexcept { return size_; }
    // The text stored under `number` ("" if none is).
    std::string_view text(std::uint64_t number) const noexcept {
      return number - 1 < texts_.size() ? std::string_view(texts_[number - 1]) : "";
    }

   private:
    struct Slot {
      std::uint64_t hash = 0;
      std::uint64_t number = 0;  // 0: the slot is empty
    };
    static std::uint64_t hash(std::string_view text) noexcept;
    std::vector<Slot> slots_;  // a power of two of them, at most half full
    std::size_t size_ = 0;
    std::vector<std::string> texts_;  // by number - 1 ("" for a number not stored)
  };
  TextTable interned_;
  // Interned numbers by LoopEvent::text_id (hashed into a small table; a miss looks the
  // text up in interned_).
  struct TextIdSlot {
    std::uint64_t id = 0;
    std::uint64_t number = 0;
  };
  std::array<TextIdSlot, 1024> text_ids_{};
  TextIdSlot& text_id_slot(std::uint64_t text_id) noexcept {
    return text_ids_[(text_id * 0x9E3779B97F4A7C15ull) >> 54];  // the top 10 bits
  }
  const TextIdSlot& text_id_slot(std::uint64_t text_id) const noexcept {
    return text_ids_[(text_id * 0x9E3779B97F4A7C15ull) >> 54];
  }
  // The number of the text written before under `text_id`, if the small table still has
  // it and it is `text`; else 0. The text is compared too: an id stands for one text, but
  // the trace must not depend on how the loop made its ids.
  std::uint64_t known_text(std::string_view text, std::uint64_t text_id) const noexcept {
    const TextIdSlot& slot = text_id_slot(text_id);
    return text_id != 0 && slot.id == text_id && interned_.text(slot.number) == text ? slot.number
                                                                                     : 0;
  }
  std::uint64_t texts_written_ = 0;  // events written with a text

  // The batch the loop appends to: a few hundred events (a few KiB, cache-resident).
  static constexpr std::size_t kBatchEvents = 256;  // at most the format's longest repeat
  // kRepeatWindow events (the last ones written, for repeats to refer to), then the batch.
  std::unique_ptr<BatchedEvent[]> batch_events_;
  BatchedEvent* batch_start() const noexcept { return batch_events_.get() + kRepeatWindow; }
  EventBatch batch_;
  // The batch's events from here to batch_.next are not written yet. The loop appends
  // after those written until the batch is full: the window before an event is then
  // usually in place, not copied.
  BatchedEvent* batch_written_ = nullptr;
  // Decisions made while events wait in the batch, in order, each with the place in the
  // batch it goes before: written with the events (a decision that made the batch be
  // written cost a pass over a few events for every step that cost time).
  struct PendingDecision {
    const BatchedEvent* before = nullptr;
    Decision decision;
  };
  static constexpr std::size_t kPendingDecisions = 64;
  std::array<PendingDecision, kPendingDecisions> pending_decisions_{};
  std::size_t pending_count_ = 0;
  // Batched events' texts by their number (on_batch_text), with the number each is
  // interned under in the trace (0: not yet written, or not interned).
  std::vector<std::string> batch_texts_ = std::vector<std::string>(1);
  // By the same number, what an event with that number refers to: the interned number,
  // 0 for no text (none given, or one that could not be kept), or kTextToWrite.
  static constexpr std::uint64_t kTextToWrite = ~std::uint64_t{0};
  std::vector<std::uint64_t> batch_text_refs_{0};

  // Repeats (format 6): a batched event equal to the P-th event before it in its block
  // (P <= kRepeatWindow) and at the previous record's time is not written; a run of them
  // becomes one repeat record. Ping-pong and polling loops make such runs. The events
  // referred to are the batch's own or, before its start, the last ones of the batch
  // before, kept in front of it; only the last recent_count_ events are of the block.
  static constexpr std::size_t kRepeatWindow = 8;
  std::uint64_t recent_count_ = 0;  // events of the block since they were last forgotten
  // 1 + the index in the block of the last recent event of a (task, kind), hashed (0:
  // none): where to look for the event a new one may repeat. A stale entry costs only a
  // repeat not found.
  std::array<std::uint64_t, 256> last_of_kind_{};
  static std::size_t shape_slot(std::uint64_t task, LoopEvent::Kind kind) noexcept {
    return static_cast<std::size_t>((task << 3) ^ static_cast<std::uint64_t>(kind)) & 255;
  }
  // The same event but for its time. Within a batch a text number stands for one text
  // reference: a number given another text (on_batch_text) forgets the recent events.
  static bool same_shape(const BatchedEvent& a, const BatchedEvent& b) noexcept {
    // Without a branch per field (in a run they are all equal), and the text and kind as
    // one word with the zero bytes after them.
    static_assert(offsetof(BatchedEvent, zero) + sizeof(BatchedEvent::zero) ==
                      sizeof(BatchedEvent) &&
                  offsetof(BatchedEvent, text) + 8 == sizeof(BatchedEvent));
    constexpr std::size_t kTail = offsetof(BatchedEvent, text);
    std::uint64_t tail_a, tail_b;
    std::memcpy(&tail_a, reinterpret_cast<const char*>(&a) + kTail, sizeof tail_a);
    std::memcpy(&tail_b, reinterpret_cast<const char*>(&b) + kTail, sizeof tail_b);
    return ((a.task ^ b.task) | (a.other ^ b.other) | (tail_a ^ tail_b)) == 0;
  }
  // An event written another way (not batched, or with its text) is not in the window:
  // nothing before it may be repeated.
  void forget_recent_events() noexcept { recent_count_ = 0; }
  // The repeat record at `out` (room for kMaxPacked bytes); returns its end.
  static char* encode_repeat(char* out, std::uint64_t period, std::uint64_t count) noexcept;
};

// `text` as one line of at most about `max_chars` printable ASCII characters (others as
// \xNN), for error messages that quote what a file says.
std::string printable(std::string_view text, std::size_t max_chars = 80);

// What to read: replay needs only the decisions (and the header and End record).
enum class TraceParts { kEverything, kDecisionsOnly };

struct ReadOptions {
  TraceParts parts = TraceParts::kEverything;
  // Skip damaged blocks (format 4; records in format 3) instead of throwing
  // TraceCorruptError: every block whose checksum holds is read, and Trace::gaps lists
  // what was skipped. For reading what survives, not for replay (replay_trace reads
  // without it).
  bool salvage = false;
};

// Reads a whole trace. TraceError for a file that is missing, empty, not a trace, of a
// newer format version, or corrupt (TraceCorruptError for a damaged block, or record of a
// format-3 trace, unless salvaging); a trace cut short (no End record, or a partial last
// block: a run that died mid-write) is returned with what it holds - a partial block's
// whole records, which its missing checksum cannot vouch for - and `truncation` saying
// where it stopped.
Trace read_trace(const std::string& path, ReadOptions options);
inline Trace read_trace(const std::string& path, TraceParts parts = TraceParts::kEverything) {
  return read_trace(path, ReadOptions{.parts = parts});
}

// The checksum after the header, and format 3's after each record: CRC-32 (zlib's crc32)
// of `bytes`.
std::uint32_t trace_checksum(std::string_view bytes) noexcept;
// The checksum format 4 stores after each block: CRC-32C (Castagnoli) of `bytes`.
std::uint32_t block_checksum(std::string_view bytes) noexcept;
// One record framed as format 3 writes it: varint length, `record`, checksum. For tools
// and tests that write trace bytes by hand.
std::string frame_record(std::string_view record);
// One block framed as format 4 writes it: the marker, the length, each record with its
// varint length before it, the checksum. For tools and tests that write traces by hand.
std::string frame_block(std::initializer_list<std::string_view> records);

}  // namespace lockstep
