#include "sim/decision_log.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace lockstep {

namespace {

inline std::uint64_t get_varint(const std::uint8_t*& p) noexcept {
  std::uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const std::uint8_t b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
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
      writer_(other.writer_) {
  blocks_.reserve(other.blocks_.size());
  for (std::size_t b = 0; b < other.blocks_.size(); ++b) {
    blocks_.push_back(new_block(b));
    std::memcpy(blocks_.back().get(), other.blocks_[b].get(), other.used_in(b));
  }
  if (!blocks_.empty()) {
    cur_ = blocks_.back().get() + other.used_in(blocks_.size() - 1);
    limit_ = blocks_.back().get() + (block_bytes(blocks_.size() - 1) - kMaxRecordBytes);
  }
}

DecisionLog& DecisionLog::operator=(const DecisionLog& other) {
  if (this != &other) *this = DecisionLog(other);
  return *this;
}

DecisionLog& DecisionLog::operator=(DecisionLog&& other) noexcept {
  if (this == &other) return *this;
  blocks_ = std::move(other.blocks_);
  block_used_ = std::move(other.block_used_);
  checkpoints_ = std::move(other.checkpoints_);
  // The moved-from log is empty, its next record opening a block.
  cur_ = std::exchange(other.cur_, nullptr);
  limit_ = std::exchange(other.limit_, nullptr);
  size_ = std::exchange(other.size_, 0);
  writer_ = std::exchange(other.writer_, CodingState{});
  other.blocks_.clear();
  other.block_used_.clear();
  other.checkpoints_.clear();
  return *this;
}

void DecisionLog::clear() noexcept { *this = DecisionLog(); }

void DecisionLog::Unmap::operator()(std::uint8_t* p) const noexcept { munmap(p, bytes); }

DecisionLog::Block DecisionLog::new_block(std::size_t index) {
  const std::size_t bytes = block_bytes(index);
  if (index == 0) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return Block(static_cast<std::uint8_t*>(p), Unmap{bytes});
  }
  // Twice the size, then the aligned middle kept: a huge page needs 2 MiB alignment.
  void* raw = mmap(nullptr, 2 * bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + bytes - 1) & ~(std::uintptr_t{bytes} - 1);
  if (aligned > start) munmap(raw, aligned - start);
  if (const std::uintptr_t tail = start + 2 * bytes - (aligned + bytes))
    munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  auto* p = reinterpret_cast<std::uint8_t*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);  // advice only: without huge pages, 4 KiB ones
#endif
  return Block(p, Unmap{bytes});
}

std::size_t DecisionLog::bytes_reserved() const noexcept {
  std::size_t n = 0;
  for (std::size_t b = 0; b < blocks_.size(); ++b) n += block_bytes(b);
  return n;
}

std::size_t DecisionLog::bytes_used() const noexcept {
  std::size_t n = 0;
  for (std::size_t b = 0; b < blocks_.size(); ++b) n += used_in(b);
  return n;
}

std::uint8_t* DecisionLog::open_block() {
  if (!blocks_.empty()) block_used_.push_back(used_in(blocks_.size() - 1));
  blocks_.push_back(new_block(blocks_.size()));
  cur_ = blocks_.back().get();
  limit_ = cur_ + (block_bytes(blocks_.size() - 1) - kMaxRecordBytes);
  return cur_;
}

void DecisionLog::checkpoint(const std::uint8_t* at) {
  writer_ = CodingState{};
  checkpoints_.push_back({static_cast<std::uint32_t>(blocks_.size() - 1),
                          static_cast<std::uint32_t>(at - blocks_.back().get())});
}

Decision DecisionLog::decode(const std::uint8_t*& p, CodingState& state) {
  Decision d;
  const std::uint8_t header = *p++;
  std::uint8_t kind = header & 0x0f;
  const bool small_kind = kind != kKindEscape;
  if (!small_kind) kind = *p++;
  d.kind = static_cast<DecisionKind>(kind);
  d.site = get_varint(p);
  if (header & kTimeSame) {
    d.time = state.time;
  } else {
    const auto delta = static_cast<std::uint64_t>(unzigzag(get_varint(p)));
    d.time = TimePoint(Duration(static_cast<std::int64_t>(
        static_cast<std::uint64_t>(state.time.time_since_epoch().count()) + delta)));
  }
  if (header & kBoundSame)
    d.bound = state.bound[kind];
  else
    d.bound = get_varint(p);
  d.value = header & kValueZero ? 0 : get_varint(p);
  d.task = header & kTaskIsSite ? d.site : get_varint(p);
  if (is_sparse(d.kind)) d.ordinal = get_varint(p);
  state.time = d.time;
  if (small_kind) state.bound[kind] = d.bound;
  return d;
}

Decision DecisionLog::operator[](std::size_t i) const {
  const Position pos = checkpoints_[i / kCheckpointEvery];
  std::size_t block = pos.block;
  const std::uint8_t* p = at(pos);
  CodingState state;
  for (std::size_t k = i % kCheckpointEvery;; --k) {
    // The records of one checkpoint's group may go on in the next block (a record never
    // spans blocks): at a block's end, the next record is at the next block's start.
    if (p == blocks_[block].get() + used_in(block)) p = blocks_[++block].get();
    Decision d = decode(p, state);
    if (k == 0) return d;
  }
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
  if (a.blocks_.size() != b.blocks_.size()) return false;
  for (std::size_t i = 0; i < a.blocks_.size(); ++i) {
    if (a.used_in(i) != b.used_in(i)) return false;
    if (std::memcmp(a.blocks_[i].get(), b.blocks_[i].get(), a.used_in(i)) != 0) return false;
  }
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
  if (p_ == log_->blocks_[block_].get() + log_->used_in(block_)) p_ = log_->blocks_[++block_].get();
  current_ = decode(p_, state_);
}

}  // namespace lockstep
