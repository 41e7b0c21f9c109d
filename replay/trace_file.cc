#include "replay/trace_file.h"

#include <google/protobuf/stubs/logging.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "faults/fault_plan.h"
#include "replay/crc32.h"
#include "replay/trace.pb.h"

namespace lockstep {

namespace {

constexpr char kMagic[16] = {'L', 'O', 'C', 'K', 'S', 'T', 'E',  'P',
                             '-', 'T', 'R', 'A', 'C', 'E', '\n', '\0'};
constexpr std::uint32_t kMaxRecordBytes = 64 << 20;  // a sanity bound for corrupt lengths
constexpr std::size_t kChecksumBytes = 4;            // format 3: after every record

// The header's checksum, and format 3's per record, is zlib's CRC-32. Short records
// (nearly all of format 3's) are summed inline (crc32.h: zlib's values, without a library
// call per record); long ones by zlib.
constexpr std::size_t kInlineCrcBytes = 256;
std::uint32_t crc32_update(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  if (n <= kInlineCrcBytes) return trace_crc32(crc, data, n);
  return static_cast<std::uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

// Format 4's block checksum: CRC-32C, one instruction per 8 bytes on an SSE4.2 CPU (zlib's
// CRC-32 cost 4 instructions a byte, a twentieth of recording a ping-pong).
std::uint32_t block_crc(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  return trace_crc32c(crc, data, n);
}

void put_checksum(char* out, std::uint32_t crc) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(crc >> (8 * i));
}

std::uint32_t get_checksum(const char* in) noexcept {
  std::uint32_t crc = 0;
  for (int i = 0; i < 4; ++i)
    crc |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return crc;
}

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

std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// Format 4 (trace.proto): after the header, blocks. A block is the marker byte, its
// payload's length (4 bytes, little endian), the payload (records, each a varint length
// and its bytes) and the CRC-32C of all that before it.
constexpr std::uint32_t kBlockChecksums = 2;  // Header.record_checksum of format 4
constexpr unsigned char kBlockMarker = 0xB4;
constexpr std::size_t kBlockHeaderBytes = 5;
// A block holds records of at most kMaxRecordBytes (with their length), or is written
// whole by a TraceWriter's buffer: a longer claimed length is damage.
constexpr std::uint64_t kMaxBlockBytes = kMaxRecordBytes + 16;

void put_block_header(char* out, std::size_t payload) noexcept {
  out[0] = static_cast<char>(kBlockMarker);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(payload >> (8 * i));
}

// Packed records (format 4): the first byte says which, and which fields take no bytes.
// A protobuf Record starts with a field tag under 0x40 (fields 1-7, wire type 2).
//   decision: 1kkk vbts   kkk: the kind if 1-7, else 0 and a kind byte follows; then the
//                         varints site, [time delta], [bound], [value], [task]
//   event:    0100 nroT   a kind byte, then the varints task, [time delta], [other],
//                         [text_ref], [node]
// Flags (set: the field takes no bytes, or for events is present):
constexpr std::uint8_t kPackedDecision = 0x80;
constexpr std::uint8_t kMaxInlineKind = 7;
constexpr std::uint8_t kValueZero = 1u << 0;   // value 0
constexpr std::uint8_t kTimeSame = 1u << 1;    // at the previous record's time
constexpr std::uint8_t kBoundUsual = 1u << 2;  // the strategy's maximum (duration_bound)
constexpr std::uint8_t kTaskIsSite = 1u << 3;  // task == site (a step's cost)
constexpr std::uint8_t kPackedEvent = 0x40;
constexpr std::uint8_t kPackedEventMask = 0xF0;
constexpr std::uint8_t kEventTimeSame = 1u << 0;  // at the previous record's time
constexpr std::uint8_t kEventOther = 1u << 1;     // `other` follows
constexpr std::uint8_t kEventTextRef = 1u << 2;   // text_ref follows
constexpr std::uint8_t kEventNode = 1u << 3;      // node follows
// A repeat (format 6): 0101 0ppp, then the varint count N: N events, each a copy of the
// (ppp + 1)-th event before it in the block, at the previous record's time.
constexpr std::uint8_t kPackedRepeat = 0x50;
constexpr std::uint8_t kPackedRepeatMask = 0xF8;
// More is damage: the writer's runs end with its batch of events (TraceWriter's
// kBatchEvents). The bound keeps a damaged or crafted file to 85 events a byte.
constexpr std::uint64_t kMaxRepeatCount = 256;

// Time deltas are signed (a decision made on a node's clock may precede the last event).
constexpr std::uint64_t zigzag(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

enum class VarintRead { kOk, kEnded, kTooLong };

// Reads a varint from [p, end), advancing p: kEnded if the input stops inside it,
// kTooLong if it runs past 10 bytes.
VarintRead get_long_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0;; shift += 7) {
    if (p == end) return VarintRead::kEnded;
    if (shift > 63) return VarintRead::kTooLong;
    const unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return VarintRead::kOk;
  }
}

// The same, with the one-byte case (most fields of most records) inline.
inline VarintRead get_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  if (p != end && *p < 0x80) [[likely]] {
    v = *p++;
    return VarintRead::kOk;
  }
  return get_long_varint(p, end, v);
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  // `problem` may quote the file: printable() keeps such quotes to one short line.
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
  p.set_cancel_mode(to_string(s.cancellation.mode));
  p.set_cancel_probability(s.cancellation.probability);
  p.set_cancel_index(s.cancellation.index);
  p.set_cancel_tasks(s.cancellation.tasks);
  p.set_cancel_target(to_string(s.cancellation.target));
  p.set_cancel_at(to_string(s.cancellation.at));
  p.set_net_latency_ns(s.net_latency.count());
  p.set_net_delay_percent(s.net_delay_percent);
  p.set_max_net_delay_ns(s.max_net_delay.count());
  return p;
}

constexpr std::uint32_t kDecisionField = 1;      // Record.decision
constexpr std::uint32_t kEventField = 4;         // Record.event
constexpr std::uint32_t kEventTextField = 5;     // EventRecord.text
constexpr std::uint32_t kEventTextRefField = 6;  // EventRecord.text_ref
constexpr std::uint32_t kEventNodeField = 7;     // EventRecord.node

// Events whose texts repeat through a run: written once, then by reference.
bool is_interned_event(LoopEvent::Kind kind) {
  return kind == LoopEvent::Kind::kTaskSuspended || kind == LoopEvent::Kind::kTaskWoken;
}

// Events whose text is a cancel message, which may be absent or empty.
bool is_cancel_event(LoopEvent::Kind kind) {
  return kind == LoopEvent::Kind::kCancelRequested || kind == LoopEvent::Kind::kTaskCancelled;
}

// A DecisionRecord or EventRecord in the shape TraceWriter writes them: a Record with
// one message field holding varint fields (and, for events, the text), decoded without
// building protobuf messages - reading a trace is most of what replaying one costs.
// Fields absent from the bytes are 0, as in proto3.
struct FastRecord {
  std::uint32_t which = 0;      // kDecisionField or kEventField
  std::uint64_t field[8] = {};  // varint fields by number (1..7)
  std::string_view text;        // EventRecord.text
  bool has_text = false;        // the text field was present, even empty
  bool bound_usual = false;     // packed decisions: the bound is the strategy's maximum
};

// A packed record (format 4; format 5 when `ordinals`) into `out`, its fields
// numbered as DecisionRecord's and EventRecord's are (time deltas as int64 bits): true for
// a decision, false for an event, nothing if the bytes are not one packed record exactly.
std::optional<bool> decode_packed(std::string_view bytes, bool ordinals, FastRecord& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  if (p == end) return std::nullopt;
  out = FastRecord{};
  const unsigned char header = *p++;
  bool ok = true;
  auto varint = [&]() -> std::uint64_t {
    std::uint64_t v = 0;
    if (get_varint(p, end, v) != VarintRead::kOk) ok = false;
    return v;
  };
  bool decision;
  if (header & kPackedDecision) {
    decision = true;
    out.which = kDecisionField;
    std::uint64_t kind = (header >> 4) & 7;
    if (kind == 0) {
      if (p == end) return std::nullopt;
      kind = *p++;
      if (kind <= kMaxInlineKind) return std::nullopt;  // would have been inline
    }
    out.field[1] = kind;
    out.field[2] = varint();
    if (!(header & kTimeSame)) out.field[5] = static_cast<std::uint64_t>(unzigzag(varint()));
    out.bound_usual = header & kBoundUsual;
    if (!out.bound_usual) out.field[3] = varint();
    if (!(header & kValueZero)) out.field[4] = varint();
    out.field[6] = header & kTaskIsSite ? out.field[2] : varint();
    if (ordinals && kind >= 1 && kind <= static_cast<std::uint64_t>(kMaxDecisionKind) &&
        is_sparse(static_cast<DecisionKind>(kind)))
      out.field[7] = varint();
  } else if ((header & kPackedEventMask) == kPackedEvent) {
    decision = false;
    out.which = kEventField;
    if (p == end) return std::nullopt;
    out.field[1] = *p++;
    out.field[3] = varint();
    if (!(header & kEventTimeSame)) out.field[2] = static_cast<std::uint64_t>(unzigzag(varint()));
    if (header & kEventOther) out.field[4] = varint();
    if (header & kEventTextRef) {
      out.field[kEventTextRefField] = varint();
      if (out.field[kEventTextRefField] == 0) return std::nullopt;
    }
    if (header & kEventNode) out.field[kEventNodeField] = varint();
  } else {
    return std::nullopt;
  }
  if (!ok || p != end) return std::nullopt;
  return decision;
}

// Decodes `bytes` into `out`; false for anything else (another record type, another
// field, a malformed varint), which then goes through the generated parser, which says
// what is wrong with it.
bool decode_fast(std::string_view bytes, FastRecord& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  if (p == end) return false;
  const unsigned char record_tag = *p++;
  std::uint32_t max_varint_field;
  if (record_tag == ((kDecisionField << 3) | 2)) {
    max_varint_field = 7;
  } else if (record_tag == ((kEventField << 3) | 2)) {
    max_varint_field = kEventNodeField;
  } else {
    return false;
  }
  out = FastRecord{};
  out.which = record_tag >> 3;
  std::uint64_t len = 0;
  if (get_varint(p, end, len) != VarintRead::kOk || len != static_cast<std::uint64_t>(end - p))
    return false;
  while (p < end) {
    const unsigned char tag = *p++;  // every field number here fits one byte
    const std::uint32_t number = tag >> 3;
    std::uint64_t v = 0;
    if (tag & 0x80 || get_varint(p, end, v) != VarintRead::kOk) return false;
    if ((tag & 7) == 0 && number >= 1 && number <= max_varint_field &&
        (out.which != kEventField || number != kEventTextField)) {
      out.field[number] = v;
    } else if ((tag & 7) == 2 && out.which == kEventField && number == kEventTextField &&
               v <= static_cast<std::uint64_t>(end - p)) {
      out.text = std::string_view(reinterpret_cast<const char*>(p), v);
      out.has_text = true;
      p += v;
    } else {
      return false;
    }
  }
  // Kinds are uint32 fields: a larger value is not something TraceWriter wrote.
  return out.field[1] <= 0xffffffffu;
}

enum class FrameStatus { kOk, kEnd, kTruncated, kCorrupt };

// One length-delimited message in the file, as read_frame finds it.
struct Frame {
  FrameStatus status = FrameStatus::kEnd;
  std::string_view record;     // kOk: the message bytes
  const char* next = nullptr;  // kOk: where the next frame starts
  std::uint64_t length = 0;    // the length it claims, once read
  std::string problem;         // kTruncated, kCorrupt: what is wrong, for messages
};

// The frame at `at`: a varint length, that many bytes, and (`checked`, format 3) the
// checksum of both. kEnd if `at` is the end; kTruncated if the file ends inside it;
// kCorrupt if its length is no varint or beyond any record, or its checksum fails.
Frame read_frame(const char* at, const char* end, bool checked) {
  Frame f;
  if (at == end) return f;
  const auto* p = reinterpret_cast<const unsigned char*>(at);
  switch (get_varint(p, reinterpret_cast<const unsigned char*>(end), f.length)) {
    case VarintRead::kOk:
      break;
    case VarintRead::kEnded:
      f.status = FrameStatus::kTruncated;
      f.problem = "the file ends inside its length";
      return f;
    case VarintRead::kTooLong:
      f.status = FrameStatus::kCorrupt;
      f.problem = "its length is not a varint";
      return f;
  }
  const auto* body = reinterpret_cast<const char*>(p);
  if (f.length > kMaxRecordBytes) {
    f.status = FrameStatus::kCorrupt;
    f.problem = "implausible length " + std::to_string(f.length);
    return f;
  }
  if (f.length + (checked ? kChecksumBytes : 0) > static_cast<std::uint64_t>(end - body)) {
    f.status = FrameStatus::kTruncated;
    f.problem = "the file ends inside it";
    return f;
  }
  const std::size_t length = static_cast<std::size_t>(f.length);
  if (checked && get_checksum(body + length) !=
                     crc32_update(0, at, static_cast<std::size_t>(body + length - at))) {
    f.status = FrameStatus::kCorrupt;
    f.problem = "checksum mismatch";
    return f;
  }
  f.status = FrameStatus::kOk;
  f.record = std::string_view(body, length);
  f.next = body + length + (checked ? kChecksumBytes : 0);
  return f;
}

// The first position in [from, end) where a whole format-3 frame holds (its checksum
// matches), or nullptr: where reading resumes after a damaged record. A chance match is
// a 1 in 2^32 event per candidate, and candidates are few: a Record is one
// length-delimited field (tag 0x0a, 0x12, ...) whose length fills the record exactly,
// checked before any checksum is computed, so that scanning damaged bytes stays linear.
const char* find_frame(const char* from, const char* end) {
  const auto* uend = reinterpret_cast<const unsigned char*>(end);
  for (const char* at = from; at < end; ++at) {
    const auto* p = reinterpret_cast<const unsigned char*>(at);
    std::uint64_t length = 0;
    if (get_varint(p, uend, length) != VarintRead::kOk || length < 2 || length > kMaxRecordBytes ||
        length + kChecksumBytes > static_cast<std::uint64_t>(uend - p))
      continue;
    if ((*p & 0x87) != 2 || *p < 8) continue;  // a one-byte tag, wire type 2, field >= 1
    const unsigned char* field = p + 1;
    std::uint64_t field_length = 0;
    if (get_varint(field, p + length, field_length) != VarintRead::kOk ||
        field_length != static_cast<std::uint64_t>(p + length - field))
      continue;
    if (read_frame(at, end, true).status == FrameStatus::kOk) return at;
  }
  return nullptr;
}

// One block of a format-4 trace, as read_block finds it.
struct Block {
  FrameStatus status = FrameStatus::kEnd;
  std::string_view payload;    // kOk: its records; kTruncated: what the file holds of them
  const char* next = nullptr;  // kOk: where the next block starts
  std::uint64_t length = 0;    // the payload length it claims, once read
  std::string problem;         // kTruncated, kCorrupt: what is wrong, for messages
};

std::uint32_t get_le32(const char* in) noexcept { return get_checksum(in); }

// The block at `at` (not the end): kTruncated if the file ends inside it, kCorrupt if it
// has no marker, an impossible length, or a checksum that fails.
Block read_block(const char* at, const char* end) {
  Block b;
  if (static_cast<unsigned char>(*at) != kBlockMarker) {
    b.status = FrameStatus::kCorrupt;
    b.problem = "no block starts here";
    return b;
  }
  if (end - at < static_cast<std::ptrdiff_t>(kBlockHeaderBytes)) {
    b.status = FrameStatus::kTruncated;
    b.problem = "the file ends inside its length";
    return b;
  }
  b.length = get_le32(at + 1);
  const char* const payload = at + kBlockHeaderBytes;
  if (b.length > kMaxBlockBytes) {
    b.status = FrameStatus::kCorrupt;
    b.problem = "implausible length " + std::to_string(b.length);
    return b;
  }
  const auto available = static_cast<std::uint64_t>(end - payload);
  if (b.length + kChecksumBytes > available) {
    // A run that died mid-write, unless the rest of the file is this block whole with a
    // shorter length: then its length is what was damaged.
    if (available >= kChecksumBytes) {
      const auto whole = static_cast<std::size_t>(available - kChecksumBytes);
      char header[kBlockHeaderBytes];
      put_block_header(header, whole);
      if (get_checksum(payload + whole) ==
          block_crc(block_crc(0, header, kBlockHeaderBytes), payload, whole)) {
        b.status = FrameStatus::kCorrupt;
        b.problem = "its length, " + std::to_string(b.length) +
                    ", runs past the end of the file, which holds the whole block at length " +
                    std::to_string(whole);
        return b;
      }
    }
    b.status = FrameStatus::kTruncated;
    b.problem = "the file ends inside it";
    b.payload = std::string_view(payload, static_cast<std::size_t>(std::min(b.length, available)));
    return b;
  }
  const auto length = static_cast<std::size_t>(b.length);
  if (get_checksum(payload + length) != block_crc(0, at, kBlockHeaderBytes + length)) {
    b.status = FrameStatus::kCorrupt;
    b.problem = "checksum mismatch";
    return b;
  }
  b.status = FrameStatus::kOk;
  b.payload = std::string_view(payload, length);
  b.next = payload + length + kChecksumBytes;
  return b;
}

// The first position in [from, end) where a whole block holds (its checksum matches), or
// nullptr: where reading resumes after a damaged block. Candidates are checked for the
// marker, a length that fits the file and a first record that fits the block before any
// checksum is computed, so that scanning damaged bytes stays about linear.
const char* find_block(const char* from, const char* end) {
  for (const char* at = from; end - at >= static_cast<std::ptrdiff_t>(kBlockHeaderBytes); ++at) {
    if (static_cast<unsigned char>(*at) != kBlockMarker) continue;
    const std::uint64_t length = get_le32(at + 1);
    const char* const payload = at + kBlockHeaderBytes;
    if (length < 2 || length > kMaxBlockBytes ||
        length + kChecksumBytes > static_cast<std::uint64_t>(end - payload))
      continue;
    const Frame first = read_frame(payload, payload + length, false);
    if (first.status != FrameStatus::kOk) continue;
    if (read_block(at, end).status == FrameStatus::kOk) return at;
  }
  return nullptr;
}

}  // namespace

std::uint32_t trace_checksum(std::string_view bytes) noexcept {
  return crc32_update(0, bytes.data(), bytes.size());
}

std::uint32_t block_checksum(std::string_view bytes) noexcept {
  return block_crc(0, bytes.data(), bytes.size());
}

std::string frame_record(std::string_view record) {
  char length[10];
  std::string out(length, static_cast<std::size_t>(put_varint(length, record.size()) - length));
  out += record;
  char crc[kChecksumBytes];
  put_checksum(crc, trace_checksum(out));
  out.append(crc, sizeof crc);
  return out;
}

std::string frame_block(std::initializer_list<std::string_view> records) {
  std::string payload;
  for (std::string_view record : records) {
    char length[10];
    payload.append(length, static_cast<std::size_t>(put_varint(length, record.size()) - length));
    payload += record;
  }
  std::string out(kBlockHeaderBytes, '\0');
  put_block_header(out.data(), payload.size());
  out += payload;
  char crc[kChecksumBytes];
  put_checksum(crc, block_checksum(out));
  out.append(crc, sizeof crc);
  return out;
}

std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

SimulationOptions Trace::simulation_options() const {
  SimulationOptions o;
  o.seed = info.seed;
  o.strategy = info.strategy;
  if (!info.fault_plan.empty()) {
    try {
      o.faults = make_injector(parse_fault_plan(info.fault_plan, "the trace's fault plan"));
    } catch (const FaultPlanError& e) {
      std::string what = e.what();
      std::replace(what.begin(), what.end(), '\n', ';');
      throw TraceError(what);
    }
  }
  return o;
}

TraceWriter::TraceWriter(const std::string& path, TraceInfo info)
    : path_(path),
      buffer_(new char[kBufferBytes]),
      batch_events_(new BatchedEvent[kRepeatWindow + kBatchEvents]()),
      batch_{batch_start(), batch_start() + kBatchEvents},
      batch_written_(batch_start()) {
  for (std::size_t k = 0; k < usual_bound_.size(); ++k)
    usual_bound_[k] = duration_bound(static_cast<DecisionKind>(k), info.strategy);
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) fail(path, std::string("cannot create the trace file: ") + std::strerror(errno));
  trace::Header h;
  h.set_format_version(kTraceFormatVersion);
  h.set_lockstep_version(kLockstepVersion);
  h.set_seed(info.seed);
  *h.mutable_strategy() = to_proto(info.strategy);
  h.set_program(info.program);
  for (const auto& [k, v] : info.labels) (*h.mutable_labels())[k] = v;
  h.set_fault_plan(info.fault_plan);
  h.set_record_checksum(kBlockChecksums);
  // The magic and the header go out at once, before any block.
  std::string head(kMagic, sizeof kMagic);
  head += frame_record(h.SerializeAsString());
  write_out(head.data(), head.size());
}

TraceWriter::~TraceWriter() {
  if (file_) {
    take_batch_noexcept();
    try {
      flush();
    } catch (...) {
      // A destructor cannot report it; finish() would have.
    }
    std::fclose(file_);
  }
}

void TraceWriter::append_record(std::string_view head, std::string_view tail) {
  const std::size_t n = head.size() + tail.size();
  char length[10];
  const auto length_bytes = static_cast<std::size_t>(put_varint(length, n) - length);
  if (length_bytes + n <= kMaxInBlock) {
    char* out = room(length_bytes + n);
    out = std::copy(length, length + length_bytes, out);
    out = std::copy(head.begin(), head.end(), out);
    std::copy(tail.begin(), tail.end(), out);
    after_packed(length_bytes + n);  // keeps room for a packed record
    return;
  }
  // A huge log line or error text: a block of its own, written in pieces.
  flush();
  char block_header[kBlockHeader];
  put_block_header(block_header, length_bytes + n);
  std::uint32_t crc = block_crc(0, block_header, kBlockHeader);
  crc = block_crc(crc, length, length_bytes);
  crc = block_crc(crc, head.data(), head.size());
  crc = block_crc(crc, tail.data(), tail.size());
  char trailer[kBlockTrailer];
  put_checksum(trailer, crc);
  write_out(block_header, kBlockHeader);
  write_out(length, length_bytes);
  write_out(head.data(), head.size());
  write_out(tail.data(), tail.size());
  write_out(trailer, kBlockTrailer);
}

void TraceWriter::write_out(const char* data, std::size_t n) {
  if (!file_ || n == 0) return;
  if (std::fwrite(data, 1, n, file_) != n || std::fflush(file_) != 0)
    fail(path_, std::string("cannot write the trace file: ") + std::strerror(errno));
  bytes_ += n;
}

void TraceWriter::flush() {
  if (used_ == kBlockHeader) return;  // no record
  char* const block = buffer_.get();
  put_block_header(block, used_ - kBlockHeader);
  // One checksum over the whole block (CRC-32C, 8 bytes an instruction): a
  // checksum per record cost 4 bytes and a CRC setup for every ~5-byte record.
  put_checksum(block + used_, block_crc(0, block, used_));
  const std::size_t n = std::exchange(used_, kBlockHeader) + kBlockTrailer;
  forget_recent_events();  // a repeat refers to events of its own block
  write_out(block, n);
}

void TraceWriter::on_decision(const Decision& d) {
  if (!write_error_.empty()) [[unlikely]]
    return;  // nothing is written after a write failed (finish() throws it)
  if (batch_.next != batch_written_) [[likely]] {
    // Events wait in the batch: the decision waits with them, after them.
    if (pending_count_ < kPendingDecisions) [[likely]] {
      pending_decisions_[pending_count_++] = {batch_.next, d};
      return;
    }
  }
  take_batch();
  write_decision(d);
}

void TraceWriter::write_decision(const Decision& d) {
  // Packed (see trace.proto): a header byte saying which fields take no bytes, then
  // varints for those that do, encoded in place. Building and serialising a message per
  // decision costs more than the rest of a simulated step.
  char* const out = packed_room();
  const auto kind = static_cast<std::uint8_t>(d.kind);
  std::uint8_t header = kPackedDecision;
  const bool small_kind = kind >= 1 && kind <= kMaxInlineKind;
  if (small_kind) header |= static_cast<std::uint8_t>(kind << 4);
  const std::uint64_t usual = kind < usual_bound_.size() ? usual_bound_[kind] : 0;
  if (d.value == 0) header |= kValueZero;
  if (d.time == last_time_) header |= kTimeSame;
  if (d.bound == usual) header |= kBoundUsual;
  if (d.task == d.site) header |= kTaskIsSite;
  char* end = out + 2;
  *end = static_cast<char>(kind);
  end += small_kind ? 0 : 1;
  end = put_varint(end, d.site);
  if (!(header & kTimeSame)) end = put_varint(end, zigzag((d.time - last_time_).count()));
  if (!(header & kBoundUsual)) end = put_varint(end, d.bound);
  if (!(header & kValueZero)) end = put_varint(end, d.value);
  if (!(header & kTaskIsSite)) end = put_varint(end, d.task);
  if (is_sparse(d.kind)) end = put_varint(end, d.ordinal);
  // Format 7: a step's cost moves the trace's clock on by it (what the loop does next is
  // at that time: the record after it needs no time of its own, and a run of repeats
  // goes on past it).
  last_time_ = d.kind == DecisionKind::kStepCost
                   ? d.time + Duration(static_cast<Duration::rep>(d.value))
                   : d.time;
  out[0] = static_cast<char>(end - out - 1);  // the record's length: under 128
  out[1] = static_cast<char>(header);
  after_packed(static_cast<std::size_t>(end - out));
}

void TraceWriter::on_log(TimePoint time, std::uint64_t task, std::string_view text) {
  take_batch();
  trace::Record r;
  trace::LogRecord* lr = r.mutable_log();
  lr->set_time_delta_ns((time - last_time_).count());
  lr->set_task(task);
  lr->set_text(std::string(text));
  last_time_ = time;
  write_record(r.SerializeAsString());
  flush();  // a log line is worth having even if the run dies right after it
}

void TraceWriter::on_site(std::uint64_t site, std::string_view name) {
  take_batch();
  trace::Record r;
  r.mutable_site()->set_site(site);
  r.mutable_site()->set_name(std::string(name));
  write_record(r.SerializeAsString());
}

inline void TraceWriter::write_packed_event(LoopEvent::Kind kind, TimePoint time,
                                            std::uint64_t task, std::uint64_t other,
                                            std::uint64_t text_ref, std::uint32_t node) {
  forget_recent_events();
  char* const out = packed_room();
  std::uint8_t header = kPackedEvent;
  if (time == last_time_) header |= kEventTimeSame;
  if (other != 0) header |= kEventOther;
  if (text_ref != 0) header |= kEventTextRef;
  if (node != 0) header |= kEventNode;
  char* end = out + 2;
  *end++ = static_cast<char>(kind);
  end = put_varint(end, task);
  if (!(header & kEventTimeSame)) end = put_varint(end, zigzag((time - last_time_).count()));
  if (header & kEventOther) end = put_varint(end, other);
  if (header & kEventTextRef) end = put_varint(end, text_ref);
  if (header & kEventNode) end = put_varint(end, node);
  last_time_ = time;
  out[0] = static_cast<char>(end - out - 1);
  out[1] = static_cast<char>(header);
  after_packed(static_cast<std::size_t>(end - out));
}

inline void TraceWriter::write_packed_event(const LoopEvent& e, std::uint64_t text_ref) {
  write_packed_event(e.kind, e.time, e.task, e.other, text_ref, e.node);
}

inline void TraceWriter::write_event(const LoopEvent& e) {
  // Packed like decisions when the event has no text of its own: most are starts, ends,
  // timers, and suspensions and wakeups whose text was written before (by reference).
  // That path is kept short; anything else goes out of line.
  if (e.text.empty()) {
    // A cancel with an empty message keeps its (empty) text field: absent means none.
    if (!e.no_message && is_cancel_event(e.kind)) [[unlikely]]
      write_event_with_text(e);
    else
      write_packed_event(e, 0);
  } else if (const std::uint64_t number =
                 is_interned_event(e.kind) ? known_text(e.text, e.text_id) : 0) {
    write_packed_event(e, number);
  } else {
    write_event_with_text(e);
  }
  // An error may be the last thing the run does before it dies.
  if (e.kind == LoopEvent::Kind::kError) [[unlikely]]
    flush();
}

void TraceWriter::on_event(const LoopEvent& e) noexcept {
  // Never throws into the loop: a write error is kept and thrown by finish().
  if (!write_error_.empty()) [[unlikely]]
    return;
  try {
    take_batch();
    write_event(e);
  } catch (const std::exception& error) {
    write_error_ = error.what();
  }
}

void TraceWriter::on_wait_event(LoopEvent::Kind kind, TimePoint time, std::uint64_t task,
                                std::uint64_t other, std::string_view text,
                                std::uint64_t text_id) noexcept {
  // write_event's paths for these two kinds, without a LoopEvent: a suspension and a
  // wakeup are most of what a recorded run's events are.
  if (!write_error_.empty()) [[unlikely]]
    return;
  try {
    take_batch();
    if (text.empty()) {
      write_packed_event(kind, time, task, other, 0, 0);
    } else if (const std::uint64_t number = known_text(text, text_id)) {
      write_packed_event(kind, time, task, other, number, 0);
    } else {
      write_event_with_text(LoopEvent{kind, time, task, other, text, false, text_id});
    }
  } catch (const std::exception& error) {
    write_error_ = error.what();
  }
}

inline char* TraceWriter::encode_batched(char* out, const BatchedEvent& e, TimePoint& last_time,
                                         std::uint64_t text_ref) noexcept {
  // write_packed_event's record (with no node: batched events have none).
  std::uint8_t header = kPackedEvent;
  if (e.time == last_time) header |= kEventTimeSame;
  if (e.other != 0) header |= kEventOther;
  if (text_ref != 0) header |= kEventTextRef;
  char* end = out + 2;
  *end++ = static_cast<char>(e.kind);
  end = put_varint(end, e.task);
  if (!(header & kEventTimeSame)) end = put_varint(end, zigzag((e.time - last_time).count()));
  if (header & kEventOther) end = put_varint(end, e.other);
  if (header & kEventTextRef) end = put_varint(end, text_ref);
  last_time = e.time;
  out[0] = static_cast<char>(end - out - 1);
  out[1] = static_cast<char>(header);
  return end;
}

char* TraceWriter::encode_repeat(char* out, std::uint64_t period, std::uint64_t count) noexcept {
  char* end = put_varint(out + 2, count);
  out[0] = static_cast<char>(end - out - 1);
  out[1] = static_cast<char>(kPackedRepeat | (period - 1));
  return end;
}

void TraceWriter::write_batch() {
  const BatchedEvent* e = batch_written_;
  const BatchedEvent* const end = batch_written_ = batch_.next;
  // A full batch starts again, even if writing threw, with its last events in front of it
  // for the next ones' repeats to refer to (copied after they are encoded: before, they
  // could overlap them).
  struct RestartIfFull {
    TraceWriter& w;
    ~RestartIfFull() {
      if (w.batch_.next != w.batch_.end) return;
      std::copy(w.batch_.end - kRepeatWindow, w.batch_.end, w.batch_events_.get());
      w.batch_.next = w.batch_written_ = w.batch_start();
    }
  } restart{*this};
  write_batch_and_decisions(e, end);
}

void TraceWriter::write_batch_and_decisions(const BatchedEvent* e, const BatchedEvent* end) {
  const std::size_t decisions = std::exchange(pending_count_, 0);
  if (!write_error_.empty()) return;  // nothing is written after a write failed
  for (std::size_t i = 0; i < decisions; ++i) {
    const PendingDecision& p = pending_decisions_[i];
    write_batch_events(e, p.before);
    e = p.before;
    write_decision(p.decision);
  }
  write_batch_events(e, end);
}

void TraceWriter::write_batch_events(const BatchedEvent* e, const BatchedEvent* const end) {
  while (e != end) {
    // As many events as surely fit in the block, encoded with the block's state in locals:
    // a store through a char* may alias any member, so the compiler would reload them all
    // after each byte written. An event makes at most one record (a run of repeats
    // makes one for all, written before the next literal event or at the end).
    char* const block = buffer_.get();
    const std::size_t used = used_;
    const std::size_t fit = (kBufferBytes - kBlockTrailer - used) / kMaxPacked;
    const BatchedEvent* const stop = e + std::min<std::size_t>(fit, end - e);
    const std::uint64_t* const refs = batch_text_refs_.data();
    const std::size_t known = batch_text_refs_.size();
    std::uint64_t* const last_of_kind = last_of_kind_.data();
    std::uint64_t count = recent_count_;
    TimePoint last_time = last_time_;
    char* out = block + used;
    while (e != stop) {
      const std::uint64_t ref = e->text < known ? refs[e->text] : 0;
      if (ref == kTextToWrite) [[unlikely]]
        break;
      // The last event of this task and kind, if it is in the window, may be the one this
      // repeats (the distance back is the run's period).
      const std::size_t slot = shape_slot(e->task, e->kind);
      const std::uint64_t back = count + 1 - last_of_kind[slot];
      if (e->time != last_time || back - 1 >= kRepeatWindow || back > count ||
          !same_shape(*e, e[-static_cast<std::ptrdiff_t>(back)])) {
        out = encode_batched(out, *e, last_time, ref);
        last_of_kind[slot] = ++count;
        ++e;
        continue;
      }
      // A run of repeats, as long as it goes: each event's text is the one P back, which
      // had a reference (an event written with its text forgets those before it).
      const auto period = static_cast<std::ptrdiff_t>(back);
      const BatchedEvent* r = e + 1;
      while (r != stop && r->time == last_time && same_shape(*r, r[-period])) ++r;
      const auto length = static_cast<std::uint64_t>(r - e);
      out = encode_repeat(out, back, length);
      count += length;
      e = r;
      // The run's last period holds the last event of each of its tasks and kinds.
      for (std::ptrdiff_t i = 1; i <= std::min<std::ptrdiff_t>(period, length); ++i)
        last_of_kind[shape_slot(e[-i].task, e[-i].kind)] = count + 1 - i;
    }
    recent_count_ = count;
    last_time_ = last_time;
    after_packed(static_cast<std::size_t>(out - (block + used)));  // flushes a full block
    if (e != stop) {
      // The first event with this text since it was given: the text goes out in full,
      // and is referred to by its interned number from then on (if it got one).
      const std::uint32_t number = e->text;
      const std::uint64_t interned = write_event_with_text(
          LoopEvent{e->kind, e->time, e->task, e->other, batch_texts_[number], false, 0});
      if (interned != 0) batch_text_refs_[number] = interned;
      ++e;
    }
  }
}

void TraceWriter::take_batch_noexcept() noexcept {
  try {
    take_batch();
  } catch (const std::exception& error) {
    if (write_error_.empty()) write_error_ = error.what();
  }
}

void TraceWriter::on_batch_full() noexcept { take_batch_noexcept(); }

void TraceWriter::on_batch_text(std::uint32_t number, std::string_view text) noexcept {
  // The events before this one that have this number have its old text.
  on_batch_full();
  forget_recent_events();  // their number may stand for another text from now on
  if (number < batch_text_refs_.size()) batch_text_refs_[number] = 0;  // its old text is gone
  try {
    if (batch_text_refs_.size() <= number) {
      batch_texts_.resize(number + 1);
      batch_text_refs_.resize(number + 1, 0);
    }
    batch_texts_[number].assign(text);
    const std::uint64_t interned = interned_.find(text);
    batch_text_refs_[number] = interned != 0 ? interned : text.empty() ? 0 : kTextToWrite;
  } catch (...) {
    // No memory for the text: its events go without it (ref 0), as the loop's own do
    // when it cannot build one.
  }
}

std::uint64_t TraceWriter::TextTable::hash(std::string_view text) noexcept {
  // Any well-mixed hash will do: it only places texts in the table (never iterated).
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ text.size();
  auto mix = [&h](std::uint64_t w) {
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  };
  const char* p = text.data();
  std::size_t n = text.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    mix(w);
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    mix(w);
  }
  h *= 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 29);
}

std::uint64_t TraceWriter::TextTable::find(std::string_view text) const noexcept {
  if (slots_.empty()) return 0;
  const std::uint64_t h = hash(text);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.number == 0) return 0;
    if (slot.hash == h && texts_[slot.number - 1] == text) return slot.number;
  }
}

void TraceWriter::TextTable::insert(std::string_view text, std::uint64_t number) {
  if (2 * (size_ + 1) > slots_.size()) {
    std::vector<Slot> old =
        std::exchange(slots_, std::vector<Slot>(std::max<std::size_t>(64, 2 * slots_.size())));
    size_ = 0;
    for (const Slot& slot : old)
      if (slot.number != 0) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = slot.hash & mask;
        while (slots_[i].number != 0) i = (i + 1) & mask;
        slots_[i] = slot;
        ++size_;
      }
  }
  const std::uint64_t h = hash(text);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].number != 0) i = (i + 1) & mask;
  slots_[i] = Slot{h, number};
  ++size_;
  if (texts_.size() < number) texts_.resize(number);
  texts_[number - 1] = std::string(text);
}

std::uint64_t TraceWriter::write_event_with_text(const LoopEvent& e) {
  forget_recent_events();
  std::uint64_t interned = 0;
  if (!e.text.empty() && is_interned_event(e.kind)) {
    // Seen before (under another text_id, or one the small table lost): by reference.
    // Else written out, and numbered for later references.
    TextIdSlot* slot = e.text_id ? &text_id_slot(e.text_id) : nullptr;
    if (const std::uint64_t number = interned_.find(e.text)) {
      if (slot) *slot = {e.text_id, number};
      write_packed_event(e, number);
      return number;
    }
    if (interned_.size() < kMaxInterned) {
      interned = texts_written_ + 1;
      interned_.insert(e.text, interned);
      if (slot) *slot = {e.text_id, interned};
    }
  }
  // Hand-encoded in protobuf's wire format: a Record holding an EventRecord.
  constexpr std::size_t kMaxFields = 5 * 11;
  char fields[kMaxFields];
  char* end = fields;
  auto field = [&](std::uint32_t number, std::uint64_t v) {
    if (v == 0) return;
    *end++ = static_cast<char>(number << 3);  // wire type 0: varint
    end = put_varint(end, v);
  };
  field(1, static_cast<std::uint32_t>(e.kind));
  field(2, static_cast<std::uint64_t>((e.time - last_time_).count()));
  field(3, e.task);
  field(4, e.other);
  field(kEventNodeField, e.node);
  last_time_ = e.time;
  ++texts_written_;
  char prefix[1 + 10 + kMaxFields + 1 + 10];
  const auto nfields = static_cast<std::size_t>(end - fields);
  char* m = prefix;
  *m++ = static_cast<char>((kEventField << 3) | 2);
  m = put_varint(m, nfields + 1 + varint_size(e.text.size()) + e.text.size());
  m = std::copy(fields, end, m);
  *m++ = static_cast<char>((kEventTextField << 3) | 2);
  m = put_varint(m, e.text.size());
  append_record(std::string_view(prefix, static_cast<std::size_t>(m - prefix)), e.text);
  return interned;
}

void TraceWriter::finish(const TraceEnd& end) {
  take_batch_noexcept();
  if (!write_error_.empty()) throw TraceError(write_error_);
  trace::Record r;
  trace::End* e = r.mutable_end();
  e->set_ok(end.ok);
  e->set_error(end.error);
  e->set_end_time_ns(end.end_time.time_since_epoch().count());
  e->set_steps(end.steps);
  e->set_decisions(end.decisions);
  e->set_schedule_digest(end.schedule_digest);
  write_record(r.SerializeAsString());
  flush();
}

Trace read_trace(const std::string& path, ReadOptions options) {
  // protobuf logs its own line for some bad input (a string field that is not UTF-8)
  // before returning false; the error a person sees is lockstep's one line, below.
  google::protobuf::LogSilencer quiet_protobuf;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path, std::string("cannot open the trace file: ") + std::strerror(errno));
  std::string data;
  // Sized up front when the file says how big it is (a pipe or a growing file may not).
  if (std::fseek(f, 0, SEEK_END) == 0) {
    if (const long size = std::ftell(f); size > 0) data.reserve(static_cast<std::size_t>(size));
    std::rewind(f);
  }
  char chunk[1 << 16];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) data.append(chunk, n);
  std::fclose(f);
  const bool notes = options.parts == TraceParts::kEverything;

  if (data.empty()) fail(path, "empty file, not a lockstep trace");
  if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    fail(path, "not a lockstep trace (it does not start with the trace magic bytes)");

  const char* cursor = data.data() + sizeof kMagic;
  const char* const data_end = data.data() + data.size();
  auto offset_of = [&](const char* p) { return static_cast<std::uint64_t>(p - data.data()); };

  Trace t;
  const Frame header = read_frame(cursor, data_end, false);
  if (header.status == FrameStatus::kEnd || header.status == FrameStatus::kTruncated)
    fail(path, "truncated trace: the header is incomplete");
  if (header.status == FrameStatus::kCorrupt)
    fail(path, "corrupt header at offset " + std::to_string(offset_of(cursor)) + " (" +
                   header.problem + ")");
  trace::Header h;
  if (!h.ParseFromArray(header.record.data(), static_cast<int>(header.record.size())))
    fail(path, "corrupt trace: the header cannot be parsed");
  if (h.format_version() == 0) fail(path, "corrupt trace: the header has no format version");
  if (h.format_version() > kTraceFormatVersion)
    fail(path, "trace format version " + std::to_string(h.format_version()) +
                   " is newer than this lockstep reads (" + std::to_string(kTraceFormatVersion) +
                   "); replay it with the lockstep that wrote it (" +
                   printable(h.lockstep_version()) + ")");
  // Format 3 says so twice (version and record_checksum): one flipped bit in either still
  // reads as checksummed, and the header's own checksum then fails.
  const bool checked = h.format_version() >= 3 || h.record_checksum() != 0;
  cursor = header.next;
  if (checked) {
    if (static_cast<std::size_t>(data_end - cursor) < kChecksumBytes)
      fail(path, "truncated trace: the header is incomplete");
    const char* const header_start = data.data() + sizeof kMagic;
    if (get_checksum(cursor) !=
        crc32_update(0, header_start, static_cast<std::size_t>(cursor - header_start)))
      fail(path, "corrupt header at offset " + std::to_string(offset_of(header_start)) +
                     " (checksum mismatch)");
    cursor += kChecksumBytes;
    const std::uint32_t expected = h.format_version() >= 4 ? kBlockChecksums : 1;
    if (h.format_version() < 3 || h.record_checksum() != expected)
      fail(path, "corrupt trace: the header says format version " +
                     std::to_string(h.format_version()) + " with record checksum " +
                     std::to_string(h.record_checksum()));
  }
  t.format_version = h.format_version();
  t.lockstep_version = h.lockstep_version();
  t.info.seed = h.seed();
  const auto kind = parse_strategy(h.strategy().kind());
  if (!kind) fail(path, "corrupt trace: unknown strategy '" + printable(h.strategy().kind()) + "'");
  t.info.strategy.kind = *kind;
  t.info.strategy.step_cost_percent = h.strategy().step_cost_percent();
  t.info.strategy.max_step_cost = Duration(h.strategy().max_step_cost_ns());
  t.info.strategy.timer_delay_percent = h.strategy().timer_delay_percent();
  t.info.strategy.max_timer_delay = Duration(h.strategy().max_timer_delay_ns());
  t.info.strategy.max_job_duration = Duration(h.strategy().max_job_duration_ns());
  t.info.strategy.pct_depth = h.strategy().pct_depth();
  t.info.strategy.pct_steps = h.strategy().pct_steps();
  if (h.strategy().has_net_latency_ns())
    t.info.strategy.net_latency = Duration(h.strategy().net_latency_ns());
  if (h.strategy().has_net_delay_percent())
    t.info.strategy.net_delay_percent = h.strategy().net_delay_percent();
  if (h.strategy().has_max_net_delay_ns())
    t.info.strategy.max_net_delay = Duration(h.strategy().max_net_delay_ns());
  const auto cancel_mode = parse_cancellation_mode(h.strategy().cancel_mode());
  if (!cancel_mode)
    fail(path, "corrupt trace: unknown cancellation mode '" +
                   printable(h.strategy().cancel_mode()) + "'");
  t.info.strategy.cancellation.mode = *cancel_mode;
  t.info.strategy.cancellation.probability = h.strategy().cancel_probability();
  t.info.strategy.cancellation.index = h.strategy().cancel_index();
  t.info.strategy.cancellation.tasks = h.strategy().cancel_tasks();
  const auto cancel_target = parse_cancellation_target(h.strategy().cancel_target());
  if (!cancel_target)
    fail(path, "corrupt trace: unknown cancellation target '" +
                   printable(h.strategy().cancel_target()) + "'");
  t.info.strategy.cancellation.target = *cancel_target;
  const auto cancel_at = parse_cancellation_point(h.strategy().cancel_at());
  if (!cancel_at)
    fail(path,
         "corrupt trace: unknown cancellation point '" + printable(h.strategy().cancel_at()) + "'");
  t.info.strategy.cancellation.at = *cancel_at;
  t.info.program = h.program();
  for (const auto& [k, v] : h.labels()) t.info.labels[k] = v;
  t.info.fault_plan = h.fault_plan();

  const bool blocks = t.format_version >= 4;
  // Most records are decisions of about 3 bytes (11 before format 4, 15 with format 3's
  // checksum): reserve for them.
  t.decisions.reserve(static_cast<std::size_t>(data_end - cursor) / (blocks    ? 4
                                                                     : checked ? 16
                                                                               : 12));
  TimePoint time{};
  trace::Record r;  // reused: parsing clears it
  FastRecord fast;
  std::vector<std::size_t> texts;    // the events that carried a text, for text_ref
  std::size_t texts_before_gap = 0;  // salvage: texts read before the first skipped record
  std::size_t record_index = 0;
  std::string truncation;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> old_format_ordinals;
  std::uint64_t old_format_zeros = 0;  // formats 1-4: zero step costs and timer delays dropped

  // The time after a record's delta: a delta that leaves the range of a TimePoint is
  // damage (or a crafted file), not a time.
  auto advance = [&](std::int64_t delta) {
    std::int64_t ns = 0;
    if (__builtin_add_overflow(time.time_since_epoch().count(), delta, &ns))
      fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                     " moves the time out of range");
    time = TimePoint(Duration(ns));
  };

  // Events read from the current block (format 6's repeats copy them); a new block
  // starts from none.
  std::uint64_t block_events = 0;
  const bool repeats = t.format_version >= 6;

  // A repeat record (format 6): copies of earlier events of its block, at the time of the
  // record before it.
  auto consume_repeat = [&](std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = p + bytes.size();
    const std::uint64_t period = (*p++ & ~kPackedRepeatMask) + 1u;
    std::uint64_t count = 0;
    if (!repeats || get_varint(p, end, count) != VarintRead::kOk || p != end)
      fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                     " is not a well-formed packed record");
    if (t.end) fail(path, "corrupt trace: records after the End record");
    if (count == 0 || count > kMaxRepeatCount || period > block_events)
      fail(path, "corrupt trace: record #" + std::to_string(record_index) + " repeats " +
                     std::to_string(count) + " events " + std::to_string(period) +
                     " back, and its block has " + std::to_string(block_events) + " before it");
    block_events += count;
    if (!notes) return;
    // The writer forgets the events before one written with a text of its own: a repeat
    // never reaches one (nor copies its text, which a crafted file could make huge).
    if (!texts.empty() && texts.back() + period >= t.events.size())
      fail(path, "corrupt trace: record #" + std::to_string(record_index) + " repeats " +
                     std::to_string(period) + " events back, past an event with a text");
    for (std::uint64_t i = 0; i < count; ++i) {
      TraceEvent copy = t.events[t.events.size() - period];
      copy.time = time;
      copy.after_decisions = t.decisions.size();
      copy.sequence = t.logs.size() + t.events.size();
      t.events.push_back(std::move(copy));
    }
  };

  // One record's bytes, of any format, into t.
  auto consume = [&](std::string_view bytes) {
    auto record_case = trace::Record::RECORD_NOT_SET;
    const auto first = bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]);
    if ((first & kPackedRepeatMask) == kPackedRepeat && blocks) return consume_repeat(bytes);
    if (first >= kPackedEvent) {
      // Packed (format 4): decisions and events, nearly every record.
      if (!blocks)
        fail(path, "corrupt trace: record #" + std::to_string(record_index) + " cannot be parsed");
      const std::optional<bool> decoded = decode_packed(bytes, t.format_version >= 5, fast);
      if (!decoded)
        fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                       " is not a well-formed packed record");
      record_case = *decoded ? trace::Record::kDecision : trace::Record::kEvent;
      if (*decoded) {
        // As formats 1-3 code the bound: XOR the strategy's maximum, 0 for the usual one.
        const std::uint64_t k = fast.field[1];
        const std::uint64_t usual =
            k >= 1 && k <= static_cast<std::uint64_t>(kMaxDecisionKind)
                ? duration_bound(static_cast<DecisionKind>(k), t.info.strategy)
                : 0;
        fast.field[3] = fast.bound_usual ? 0 : fast.field[3] ^ usual;
      }
    } else if (decode_fast(bytes, fast)) {
      // Decisions and events of formats 1-3 skip the generated parser.
      record_case = fast.which == kDecisionField ? trace::Record::kDecision : trace::Record::kEvent;
    } else if (r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      record_case = r.record_case();
      // A record the fast path did not take (fields in another order or encoding):
      // the same fields, from the generated parser.
      fast = FastRecord{};
      if (record_case == trace::Record::kDecision) {
        const auto& d = r.decision();
        fast.field[1] = d.kind();
        fast.field[2] = d.site();
        fast.field[3] = d.bound();
        fast.field[4] = d.value();
        fast.field[5] = static_cast<std::uint64_t>(d.time_delta_ns());
        fast.field[6] = d.task();
        fast.field[7] = d.ordinal();
      } else if (record_case == trace::Record::kEvent) {
        const auto& e = r.event();
        fast.field[1] = e.kind();
        fast.field[2] = static_cast<std::uint64_t>(e.time_delta_ns());
        fast.field[3] = e.task();
        fast.field[4] = e.other();
        fast.field[kEventTextRefField] = e.text_ref();
        fast.field[kEventNodeField] = e.node();
        fast.text = e.text();
        fast.has_text = e.has_text();
      }
    } else {
      fail(path, "corrupt trace: record #" + std::to_string(record_index) + " cannot be parsed");
    }
    if (t.end) fail(path, "corrupt trace: records after the End record");
    if (record_case == trace::Record::kEvent && t.format_version < 2)
      fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                     " is an event, which format version 1 does not have");
    switch (record_case) {
      case trace::Record::kDecision: {
        const std::uint64_t kind_value = fast.field[1];
        if (kind_value < 1 || kind_value > static_cast<std::uint64_t>(kMaxDecisionKind))
          fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                         " has unknown decision kind " + std::to_string(kind_value));
        advance(static_cast<std::int64_t>(fast.field[5]));
        const auto kind = static_cast<DecisionKind>(kind_value);
        std::uint64_t ordinal = fast.field[7];
        if (is_sparse(kind) && t.format_version < 5) {
          // Formats 1-4 have a step_cost record for every step and a timer_delay one for
          // every timer: number them per kind and site (a step's site is its task, a
          // timer's 0), and keep those that are not 0, as format 5 records them.
          ordinal = ++old_format_ordinals[{kind_value, fast.field[2]}];
          if (fast.field[4] == 0) {
            ++old_format_zeros;
            break;
          }
        }
        t.decisions.push_back(Decision{kind, fast.field[2],
                                       fast.field[3] ^ duration_bound(kind, t.info.strategy),
                                       fast.field[4], time, fast.field[6], ordinal});
        // Format 7: the clock moves on by a step's cost (a value out of range is damage,
        // named by advance()).
        if (kind == DecisionKind::kStepCost && t.format_version >= 7) {
          if (fast.field[4] > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                           " moves the time out of range");
          advance(static_cast<std::int64_t>(fast.field[4]));
        }
        break;
      }
      case trace::Record::kSite:
        if (t.format_version < 2)
          fail(path, "corrupt trace: record #" + std::to_string(record_index) +
                         " names a site, which format version 1 does not do");
        t.site_names[r.site().site()] = r.site().name();
        break;
      case trace::Record::kLog:
        advance(r.log().time_delta_ns());
        if (notes)
          t.logs.push_back(TraceLogLine{time, r.log().task(), r.log().text(), t.decisions.size(),
                                        t.logs.size() + t.events.size()});
        break;
      case trace::Record::kEvent: {
        advance(static_cast<std::int64_t>(fast.field[2]));
        ++block_events;
        if (!notes) break;
        std::string text(fast.text);
        const std::uint64_t ref = fast.field[kEventTextRefField];
        if (fast.has_text) {
          texts.push_back(t.events.size());
        } else if (ref != 0 && !t.gaps.empty() && ref > texts_before_gap) {
          // Salvaged: a skipped record may have carried a text, so references past the
          // texts read before the first gap may point one off. Say so instead of guessing.
          text = "(unknown: its text is numbered after a skipped record)";
        } else if (ref != 0) {
          if (t.format_version < 3 || ref > texts.size())
            fail(path,
                 "corrupt trace: record #" + std::to_string(record_index) +
                     " refers to event text #" + std::to_string(ref) + ", which " +
                     (t.format_version < 3
                          ? "format version " + std::to_string(t.format_version) + " does not have"
                          : "no earlier event has"));
          text = t.events[texts[ref - 1]].text;
        }
        // Unknown kinds are kept: a newer writer may add kinds, and events do not replay.
        t.events.push_back(
            TraceEvent{static_cast<LoopEvent::Kind>(std::min<std::uint64_t>(fast.field[1], 255)),
                       time, fast.field[3], fast.field[4], std::move(text), t.decisions.size(),
                       t.logs.size() + t.events.size(),
                       /*no_message=*/!fast.has_text && ref == 0,
                       static_cast<std::uint32_t>(
                           std::min<std::uint64_t>(fast.field[kEventNodeField], 0xffffffffu))});
        break;
      }
      case trace::Record::kEnd:
        t.end = TraceEnd{r.end().ok(),
                         r.end().error(),
                         TimePoint(Duration(r.end().end_time_ns())),
                         r.end().steps(),
                         r.end().decisions() - std::min(r.end().decisions(), old_format_zeros),
                         r.end().schedule_digest()};
        break;
      default:
        fail(path, "corrupt trace: record #" + std::to_string(record_index) + " is empty");
    }
  };

  // A damaged stretch [at, resume) (resume null: to the end of the file): thrown, or
  // under salvage recorded as a gap. `unit` is "block" or "record".
  auto damaged = [&](const char* at, const char* resume, const std::string& problem,
                     const char* unit) {
    if (!options.salvage)
      throw TraceCorruptError(path + ": corrupt " + unit + " at offset " +
                                  std::to_string(offset_of(at)) + " (" + problem + ")",
                              offset_of(at));
    if (t.gaps.empty()) texts_before_gap = texts.size();
    t.gaps.push_back(TraceGap{offset_of(at), resume ? offset_of(resume) : data.size(),
                              t.decisions.size(), problem});
  };

  if (blocks) {
    // Format 4: checksummed blocks of records.
    std::size_t block_index = 0;
    while (cursor != data_end) {
      ++block_index;
      block_events = 0;
      const char* const at = cursor;
      Block block = read_block(at, data_end);
      const char* resume = nullptr;
      if (block.status == FrameStatus::kTruncated) {
        // A run that died mid-write leaves a prefix of what it would have written: an
        // intact block after this one means its length is what is damaged.
        resume = find_block(at + 1, data_end);
        if (!resume) {
          truncation = "the file ends inside block #" + std::to_string(block_index) + " (offset " +
                       std::to_string(offset_of(at)) + ")";
          // Its whole records are read, though no checksum vouches for them: they are the
          // last the run wrote.
          const char* p = block.payload.data();
          const char* const payload_end = p + block.payload.size();
          std::size_t unchecked = 0;
          while (true) {
            const Frame f = read_frame(p, payload_end, false);
            if (f.status != FrameStatus::kOk) break;
            ++record_index;
            consume(f.record);
            ++unchecked;
            p = f.next;
          }
          if (unchecked > 0)
            truncation += "; its " + std::to_string(unchecked) + " whole record" +
                          (unchecked == 1 ? " was" : "s were") + " read without a checksum";
          break;
        }
        block.status = FrameStatus::kCorrupt;
        block.problem = "its length, " + std::to_string(block.length) +
                        ", runs past the end of the file, yet an intact block follows at "
                        "offset " +
                        std::to_string(offset_of(resume));
      }
      if (block.status == FrameStatus::kCorrupt) {
        if (!resume) resume = find_block(at + 1, data_end);
        damaged(at, resume, block.problem, "block");
        if (!resume) break;
        cursor = resume;
        continue;
      }
      // The checksum holds: every record in it is as written.
      const char* p = block.payload.data();
      const char* const payload_end = p + block.payload.size();
      while (p != payload_end) {
        const Frame f = read_frame(p, payload_end, false);
        if (f.status != FrameStatus::kOk)
          fail(path, "corrupt trace: block #" + std::to_string(block_index) + " (offset " +
                         std::to_string(offset_of(at)) +
                         ") holds no whole record where its checksum says it does");
        ++record_index;
        consume(f.record);
        p = f.next;
      }
      cursor = block.next;
    }
  } else {
    while (true) {
      ++record_index;
      const char* const at = cursor;
      Frame frame = read_frame(at, data_end, checked);
      if (frame.status == FrameStatus::kEnd) break;
      // Damage or a run that died mid-write? A run that died leaves a prefix of what it
      // would have written: nothing intact can follow the cut-off record.
      const char* resume = nullptr;
      if (frame.status == FrameStatus::kTruncated) {
        if (checked) resume = find_frame(at + 1, data_end);
        if (!resume) {
          truncation =
              frame.problem == "the file ends inside its length"
                  ? "the file ends inside the length of record #" + std::to_string(record_index)
                  : "the file ends inside record #" + std::to_string(record_index);
          truncation += " (offset " + std::to_string(offset_of(at)) + ")";
          break;
        }
        frame.status = FrameStatus::kCorrupt;
        frame.problem = "its length, " + std::to_string(frame.length) +
                        ", runs past the end of the file, yet an intact record follows at "
                        "offset " +
                        std::to_string(offset_of(resume));
      }
      if (frame.status == FrameStatus::kCorrupt) {
        if (!checked) {
          if (frame.length > kMaxRecordBytes)
            fail(path, "corrupt trace: record #" + std::to_string(record_index) + " claims " +
                           std::to_string(frame.length) + " bytes");
          fail(path, "corrupt trace: the length of record #" + std::to_string(record_index) +
                         " is not a varint");
        }
        if (!resume) resume = find_frame(at + 1, data_end);
        damaged(at, resume, frame.problem, "record");
        if (!resume) break;
        cursor = resume;
        continue;
      }
      cursor = frame.next;
      consume(frame.record);
    }
  }
  if (truncation.empty() && !t.end)
    truncation = !t.gaps.empty() && t.gaps.back().end == data.size()
                     ? "no End record: the file's end was skipped as damaged"
                     : "the run did not finish: no End record";
  t.truncation = truncation;
  return t;
}

}  // namespace lockstep
