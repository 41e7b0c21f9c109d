// Trace files: write a simulated run as it happens; read one back, or say exactly why not.
//
//   lockstep::TraceWriter writer("run.trace", lockstep::TraceInfo{.seed = 7, .program =
//   "my_test"}); lockstep::SimulationOptions o{.seed = 7}; o.trace = &writer; auto run =
//   lockstep::simulate(program, o); writer.finish(run);                                   // the
//   End record
//
//   lockstep::Trace t = lockstep::read_trace("run.trace");   // throws TraceError
//   auto again = lockstep::replay(program, t.decisions, t.simulation_options());
//
// Format: replay/trace.proto. Records are streamed in a 4 KiB buffer, flushed when full,
// on every log line, and at finish(): a run that dies leaves a file readable up to its
// last flushed record, which read_trace() reports as truncated rather than failing.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/clock.h"
#include "sim/decision.h"
#include "sim/simulation.h"
#include "sim/strategy.h"
#include "sim/trace_sink.h"

namespace lockstep {

// The trace format this lockstep writes; a reader refuses newer ones.
inline constexpr std::uint32_t kTraceFormatVersion = 1;
inline constexpr const char* kLockstepVersion = "0.1.0";

// A trace file could not be written or read. what() is one line naming the file and the
// problem.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a trace says about its run, besides the decisions.
struct TraceInfo {
  std::uint64_t seed = 0;
  StrategyOptions strategy;
  std::string program;  // identity of what ran; replay_trace checks it
  std::map<std::string, std::string> labels;
};

struct TraceLogLine {
  TimePoint time{};
  std::uint64_t task = 0;
  std::string text;
};

struct TraceEnd {
  bool ok = false;
  std::string error;
  TimePoint end_time{};
  std::uint64_t steps = 0;
  std::uint64_t decisions = 0;
};

struct Trace {
  std::uint32_t format_version = 0;
  std::string lockstep_version;
  TraceInfo info;
  std::vector<Decision> decisions;
  std::vector<TraceLogLine> logs;
  std::optional<TraceEnd> end;  // none: the run did not finish writing (truncated)
  std::string truncation;       // why reading stopped early, or ""

  // Options that replay this trace: its seed and strategy.
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
  // Writes the End record and flushes. The trace is complete after this.
  void finish(const TraceEnd& end);
  template <class T>
  void finish(const SimulationResult<T>& run) {
    finish(TraceEnd{run.outcome.ok(),
                    run.outcome.ok() ? std::string() : describe_exception(run.outcome.exception()),
                    run.end_time, run.steps, static_cast<std::uint64_t>(run.decisions.size())});
  }
  // Bytes written so far (header included).
  std::uint64_t bytes() const noexcept { return bytes_; }
  const std::string& path() const noexcept { return path_; }

 private:
  void write_record(const std::string& serialized);
  void flush();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::uint64_t bytes_ = 0;
  TimePoint last_time_{};
  StrategyOptions strategy_;  // bounds are written relative to its maxima
};

// Reads a whole trace. TraceError for a file that is missing, empty, not a trace,
// corrupt, or of a newer format version; a trace cut short (no End record, or a partial
// last record) is returned with what it holds and `truncation` saying where it stopped.
Trace read_trace(const std::string& path);

}  // namespace lockstep
