#include "replay/trace_file.h"

#include <cerrno>
#include <cstring>
#include <string_view>

#include "replay/trace.pb.h"

namespace lockstep {

namespace {

constexpr char kMagic[16] = {'L', 'O', 'C', 'K', 'S', 'T', 'E',  'P',
                             '-', 'T', 'R', 'A', 'C', 'E', '\n', '\0'};
constexpr std::size_t kFlushAt = 32 * 1024;
constexpr std::uint32_t kMaxRecordBytes = 64 << 20;  // a sanity bound for corrupt lengths

// Protobuf varints, the one encoding of lengths and decision fields in a trace.
// Writes v at `out`; returns the end of what it wrote (at most 10 bytes).
char* put_varint(char* out, std::uint64_t v) noexcept {
  while (v >= 0x80) {
    *out++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

void append_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  out.append(buf, put_varint(buf, v));
}

enum class VarintRead { kOk, kEnded, kTooLong };

// Reads a varint from [p, end), advancing p: kEnded if the input stops inside it,
// kTooLong if it runs past 10 bytes.
VarintRead get_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0;; shift += 7) {
    if (p == end) return VarintRead::kEnded;
    if (shift > 63) return VarintRead::kTooLong;
    const unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return VarintRead::kOk;
  }
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw TraceError(path + ": " + problem);
}

trace::StrategyParams to_proto(const StrategyOptions& s) {
  trace::StrategyParams p;
  p.set_kind(to_string(s.kind));
  p.set_step_cost_percent(s.step_cost_percent);
  p.set_max_step_cost_ns(s.max_step_cost.count());
  p.set_timer_delay_percent(s.timer_delay_percent);
  p.set_max_timer_delay_ns(s.max_timer_delay.count());
  p.set_max_job_duration_ns(s.max_job_duration.count());
  p.set_pct_depth(s.pct_depth);
  p.set_pct_steps(s.pct_steps);
  return p;
}

// Decodes a Record that holds a DecisionRecord made only of known varint fields (what
// TraceWriter writes) without building messages. Returns false for anything else, which
// then goes through the generated parser.
bool decode_decision_fast(std::string_view bytes, trace::DecisionRecord& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  auto varint = [&](std::uint64_t& v) { return get_varint(p, end, v) == VarintRead::kOk; };
  if (p == end || *p++ != ((1 << 3) | 2)) return false;
  std::uint64_t len = 0;
  if (!varint(len) || len != static_cast<std::uint64_t>(end - p)) return false;
  out.Clear();
  while (p < end) {
    std::uint64_t tag = 0, v = 0;
    if (!varint(tag) || (tag & 7) != 0 || !varint(v)) return false;
    switch (tag >> 3) {
      case 1:
        if (v > 0xffffffffu) return false;
        out.set_kind(static_cast<std::uint32_t>(v));
        break;
      case 2:
        out.set_site(v);
        break;
      case 3:
        out.set_bound(v);
        break;
      case 4:
        out.set_value(v);
        break;
      case 5:
        out.set_time_delta_ns(static_cast<std::int64_t>(v));
        break;
      case 6:
        out.set_task(v);
        break;
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

SimulationOptions Trace::simulation_options() const {
  SimulationOptions o;
  o.seed = info.seed;
  o.strategy = info.strategy;
  return o;
}

TraceWriter::TraceWriter(const std::string& path, TraceInfo info)
    : path_(path), strategy_(info.strategy) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) fail(path, std::string("cannot create the trace file: ") + std::strerror(errno));
  trace::Header h;
  h.set_format_version(kTraceFormatVersion);
  h.set_lockstep_version(kLockstepVersion);
  h.set_seed(info.seed);
  *h.mutable_strategy() = to_proto(info.strategy);
  h.set_program(info.program);
  for (const auto& [k, v] : info.labels) (*h.mutable_labels())[k] = v;
  buffer_.append(kMagic, sizeof kMagic);
  write_record(h.SerializeAsString());
  flush();
}

TraceWriter::~TraceWriter() {
  if (file_) {
    flush();
    std::fclose(file_);
  }
}

void TraceWriter::write_record(const std::string& serialized) {
  append_varint(buffer_, serialized.size());
  buffer_ += serialized;
  if (buffer_.size() >= kFlushAt) flush();
}

void TraceWriter::flush() {
  if (!file_ || buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() ||
      std::fflush(file_) != 0)
    fail(path_, std::string("cannot write the trace file: ") + std::strerror(errno));
  bytes_ += buffer_.size();
  buffer_.clear();
}

void TraceWriter::on_decision(const Decision& d) {
  // Hand-encoded in protobuf's wire format (a Record holding a DecisionRecord; fields at
  // their default are omitted, as proto3 does): building and serialising a message per
  // decision costs more than the rest of a simulated step. read_trace parses it with the
  // generated code, and the tests check that the two agree.
  char inner[6 * 11];
  char* end = inner;
  auto field = [&](std::uint32_t number, std::uint64_t v) {
    if (v == 0) return;
    *end++ = static_cast<char>(number << 3);  // wire type 0: varint
    end = put_varint(end, v);
  };
  field(1, static_cast<std::uint32_t>(d.kind));
  field(2, d.site);
  field(3, d.bound ^ duration_bound(d.kind, strategy_));
  field(4, d.value);
  field(5, static_cast<std::uint64_t>((d.time - last_time_).count()));
  field(6, d.task);
  last_time_ = d.time;
  const auto n = static_cast<std::size_t>(end - inner);
  // The record: its length, then field 1 (wire type 2) of Record with the inner bytes;
  // assembled on the stack and appended at once. n <= 66: its varint takes one byte.
  char record[1 + 1 + 1 + sizeof inner];
  char* m = put_varint(record, 1 + 1 + n);
  *m++ = static_cast<char>((1 << 3) | 2);
  m = put_varint(m, n);
  std::memcpy(m, inner, n);
  m += n;
  buffer_.append(record, m);
  if (buffer_.size() >= kFlushAt) flush();
}

void TraceWriter::on_log(TimePoint time, std::uint64_t task, std::string_view text) {
  trace::Record r;
  trace::LogRecord* lr = r.mutable_log();
  lr->set_time_delta_ns((time - last_time_).count());
  lr->set_task(task);
  lr->set_text(std::string(text));
  last_time_ = time;
  write_record(r.SerializeAsString());
  flush();  // a log line is worth having even if the run dies right after it
}

void TraceWriter::finish(const TraceEnd& end) {
  trace::Record r;
  trace::End* e = r.mutable_end();
  e->set_ok(end.ok);
  e->set_error(end.error);
  e->set_end_time_ns(end.end_time.time_since_epoch().count());
  e->set_steps(end.steps);
  e->set_decisions(end.decisions);
  write_record(r.SerializeAsString());
  flush();
}

Trace read_trace(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path, std::string("cannot open the trace file: ") + std::strerror(errno));
  std::string data;
  char chunk[1 << 16];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) data.append(chunk, n);
  std::fclose(f);

  if (data.empty()) fail(path, "empty file, not a lockstep trace");
  if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    fail(path, "not a lockstep trace (it does not start with the trace magic bytes)");

  const char* cursor = data.data() + sizeof kMagic;
  const char* const data_end = data.data() + data.size();
  std::size_t record_index = 0;
  std::string truncation;
  // The next length-delimited message, as a view into `data`. false at the clean end of
  // the file; sets `truncation` and returns false if the file stops inside a record.
  auto next = [&](std::string_view& out) -> bool {
    if (cursor == data_end) return false;
    std::uint64_t len = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(cursor);
    switch (get_varint(p, reinterpret_cast<const unsigned char*>(data_end), len)) {
      case VarintRead::kOk:
        break;
      case VarintRead::kEnded:
        truncation = "the file ends inside the length of record #" + std::to_string(record_index);
        return false;
      case VarintRead::kTooLong:
        fail(path, "corrupt trace: the length of record #" + std::to_string(record_index) +
                       " is not a varint");
    }
    cursor = reinterpret_cast<const char*>(p);
    if (len > kMaxRecordBytes)
      fail(path, "corrupt trace: record #" + std::to_string(record_index) + " claims " +
                     std::to_string(len) + " bytes");
    if (len > static_cast<std::uint64_t>(data_end - cursor)) {
      truncation = "the file ends inside record #" + std::to_string(record_index);
      cursor = data_end;
      return false;
    }
    out = std::string_view(cursor, len);
    cursor += len;
    return true;
  };

  Trace t;
  std::string_view bytes;
  if (!next(bytes)) fail(path, "truncated trace: the header is incomplete");
  trace::Header h;
  if (!h.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail(path, "corrupt trace: the header cannot be parsed");
  if (h.format_version() == 0) fail(path, "corrupt trace: the header has no format version");
  if (h.format_version() > kTraceFormatVersion)
    fail(path, "trace format version " + std::to_string(h.format_version()) +
                   " is newer than this lockstep reads (" + std::to_string(kTraceFormatVersion) +
                   "); replay it with the lockstep that wrote it (" + h.lockstep_version() + ")");
  t.format_version = h.format_version();
  t.lockstep_version = h.lockstep_version();
  t.info.seed = h.seed();
  const auto kind = parse_strategy(h.strategy().kind());
  if (!kind) fail(path, "corrupt trace: unknown strategy '" + h.strategy().kind() + "'");
  t.info.strategy.kind = *kind;
  t.info.strategy.step_cost_percent = h.strategy().step_cost_percent();
  t.info.strategy.max_step_cost = Duration(h.strategy().max_step_cost_ns());
  t.info.strategy.timer_delay_percent = h.strategy().timer_delay_percent();
  t.info.strategy.max_timer_delay = Duration(h.strategy().max_timer_delay_ns());
  t.info.strategy.max_job_duration = Duration(h.strategy().max_job_duration_ns());
  t.info.strategy.pct_depth = h.strategy().pct_depth();
  t.info.strategy.pct_steps = h.strategy().pct_steps();
  t.info.program = h.program();
  for (const auto& [k, v] : h.labels()) t.info.labels[k] = v;

  // Most records are decisions of about 11 bytes: reserve for them.
  t.decisions.reserve(static_cast<std::size_t>(data_end - cursor) / 12);
  TimePoint time{};
  trace::Record r;  // reused: parsing clears it
  trace::DecisionRecord fast;
  while (true) {
    ++record_index;
    if (!next(bytes)) break;
    const bool is_fast = decode_decision_fast(bytes, fast);
    if (!is_fast && !r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      fail(path, "corrupt trace: record #" + std::to_string(record_index) + " cannot be parsed");
    if (t.end) fail(path, "corrupt trace: records after the End record");
    switch (is_fast ? trace::Record::kDecision : r.record_case()) {
      case trace::Record::kDecision: {
        const auto& d = is_fast ? fast : r.decision();
        if (d.kind() < 1 || d.kind() > static_cast<std::uint32_t>(DecisionKind::kRandom))
          fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                         " has unknown decision kind " + std::to_string(d.kind()));
        time += Duration(d.time_delta_ns());
        const auto kind = static_cast<DecisionKind>(d.kind());
        t.decisions.push_back(Decision{kind, d.site(),
                                       d.bound() ^ duration_bound(kind, t.info.strategy), d.value(),
                                       time, d.task()});
        break;
      }
      case trace::Record::kLog:
        time += Duration(r.log().time_delta_ns());
        t.logs.push_back(TraceLogLine{time, r.log().task(), r.log().text()});
        break;
      case trace::Record::kEnd:
        t.end = TraceEnd{r.end().ok(), r.end().error(), TimePoint(Duration(r.end().end_time_ns())),
                         r.end().steps(), r.end().decisions()};
        break;
      default:
        fail(path, "corrupt trace: record #" + std::to_string(record_index) + " is empty");
    }
  }
  if (truncation.empty() && !t.end) truncation = "the run did not finish: no End record";
  t.truncation = truncation;
  return t;
}

}  // namespace lockstep
