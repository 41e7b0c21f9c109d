#include "sim/decision_log.h"

#include <cstring>

namespace lockstep {

namespace {

// The header byte: the kind in the low nibble (15: an explicit kind byte follows), then
// one bit for each field that takes no bytes.
constexpr std::uint8_t kKindEscape = 15;
constexpr std::uint8_t kValueZero = 1u << 4;
constexpr std::uint8_t kTimeSame = 1u << 5;
constexpr std::uint8_t kBoundSame = 1u << 6;  // the last bound of this kind
constexpr std::uint8_t kTaskIsSite = 1u << 7;

inline std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) noexcept {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}

inline std::uint64_t get_varint(const std::uint8_t*& p) noexcept {
  std::uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const std::uint8_t b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
}

inline std::uint64_t zigzag(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

}  // namespace

DecisionLog::DecisionLog(const std::vector<Decision>& decisions) {
  for (const Decision& d : decisions) push_back(d);
}

DecisionLog::DecisionLog(std::initializer_list<Decision> decisions) {
  for (const Decision& d : decisions) push_back(d);
}

DecisionLog::DecisionLog(const DecisionLog& other)
    : block_used_(other.block_used_),
      checkpoints_(other.checkpoints_),
      size_(other.size_),
      writer_(other.writer_),
      last_(other.last_) {
  blocks_.reserve(other.blocks_.size());
  for (std::size_t b = 0; b < other.blocks_.size(); ++b) {
    blocks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(kBlockBytes));
    std::memcpy(blocks_.back().get(), other.blocks_[b].get(), other.block_used_[b]);
  }
}

DecisionLog& DecisionLog::operator=(const DecisionLog& other) {
  if (this != &other) *this = DecisionLog(other);
  return *this;
}

void DecisionLog::clear() noexcept { *this = DecisionLog(); }

void DecisionLog::push_back(const Decision& d) {
  if (blocks_.empty() || block_used_.back() + kMaxRecordBytes > kBlockBytes) {
    // Uninitialized on purpose: only the bytes written are ever read.
    blocks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(kBlockBytes));
    block_used_.push_back(0);
  }
  const auto block = static_cast<std::uint32_t>(blocks_.size() - 1);
  std::uint8_t* const start = blocks_.back().get() + block_used_.back();
  if (size_ % kCheckpointEvery == 0) {
    writer_ = CodingState{};
    checkpoints_.push_back({block, block_used_.back()});
  }
  const auto kind = static_cast<std::uint8_t>(d.kind);
  const bool small_kind = kind < kKindEscape;
  std::uint8_t header = small_kind ? kind : kKindEscape;
  if (d.value == 0) header |= kValueZero;
  if (d.time == writer_.time) header |= kTimeSame;
  if (small_kind && d.bound == writer_.bound[kind]) header |= kBoundSame;
  if (d.task == d.site) header |= kTaskIsSite;

  std::uint8_t* p = start;
  *p++ = header;
  if (!small_kind) *p++ = kind;
  p = put_varint(p, d.site);
  if (!(header & kTimeSame)) p = put_varint(p, zigzag((d.time - writer_.time).count()));
  if (!(header & kBoundSame)) p = put_varint(p, d.bound);
  if (!(header & kValueZero)) p = put_varint(p, d.value);
  if (!(header & kTaskIsSite)) p = put_varint(p, d.task);

  writer_.time = d.time;
  if (small_kind) writer_.bound[kind] = d.bound;
  block_used_.back() += static_cast<std::uint32_t>(p - start);
  last_ = d;
  ++size_;
}

Decision DecisionLog::decode(const std::uint8_t*& p, CodingState& state) {
  Decision d;
  const std::uint8_t header = *p++;
  std::uint8_t kind = header & 0x0f;
  const bool small_kind = kind != kKindEscape;
  if (!small_kind) kind = *p++;
  d.kind = static_cast<DecisionKind>(kind);
  d.site = get_varint(p);
  d.time = header & kTimeSame ? state.time : state.time + Duration(unzigzag(get_varint(p)));
  if (header & kBoundSame)
    d.bound = state.bound[kind];
  else
    d.bound = get_varint(p);
  d.value = header & kValueZero ? 0 : get_varint(p);
  d.task = header & kTaskIsSite ? d.site : get_varint(p);
  state.time = d.time;
  if (small_kind) state.bound[kind] = d.bound;
  return d;
}

Decision DecisionLog::operator[](std::size_t i) const {
  const Position pos = checkpoints_[i / kCheckpointEvery];
  const std::uint8_t* p = at(pos);
  CodingState state;
  Decision d = decode(p, state);
  for (std::size_t k = i % kCheckpointEvery; k > 0; --k) d = decode(p, state);
  return d;
}

std::vector<Decision> DecisionLog::to_vector() const {
  std::vector<Decision> v;
  v.reserve(size_);
  for (const Decision& d : *this) v.push_back(d);
  return v;
}

bool operator==(const DecisionLog& a, const DecisionLog& b) {
  if (a.size_ != b.size_) return false;
  // The coding is a function of the decisions: equal logs hold equal bytes.
  if (a.block_used_ != b.block_used_) return false;
  for (std::size_t i = 0; i < a.blocks_.size(); ++i)
    if (std::memcmp(a.blocks_[i].get(), b.blocks_[i].get(), a.block_used_[i]) != 0) return false;
  return true;
}

DecisionLog::const_iterator DecisionLog::begin() const { return const_iterator(this, 0); }
DecisionLog::const_iterator DecisionLog::end() const { return const_iterator(this, size_); }

DecisionLog::const_iterator::const_iterator(const DecisionLog* log, std::size_t index)
    : log_(log), index_(index) {
  if (index_ >= log_->size_) return;
  const Position pos = log_->checkpoints_[index_ / kCheckpointEvery];
  block_ = pos.block;
  p_ = log_->at(pos);
  current_ = decode(p_, state_);
  for (std::size_t k = index_ % kCheckpointEvery; k > 0; --k) current_ = decode(p_, state_);
}

void DecisionLog::const_iterator::load() {
  if (index_ >= log_->size_) return;
  if (index_ % kCheckpointEvery == 0) state_ = CodingState{};
  // A record never spans blocks: at a block's end the next record opens the next one.
  if (p_ == log_->blocks_[block_].get() + log_->block_used_[block_]) p_ = log_->blocks_[++block_].get();
  current_ = decode(p_, state_);
}

}  // namespace lockstep
