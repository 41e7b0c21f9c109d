// DecisionLog: a run's decisions, in order, kept compactly (about 3 bytes for a typical
// decision instead of sizeof(Decision) = 48), so a simulation of 10^8 steps fits in memory
// and recording costs little more than the draw itself.
//
//   lockstep::DecisionLog log;
//   log.push_back(d);                              // append (what a simulation does)
//   for (const lockstep::Decision& d : log) ...    // decode in order
//   log.size(); log[i]; log.back();                // as a vector reads
//   std::vector<lockstep::Decision> v = log;       // an editable copy (what shrink edits)
//
// Most decisions are the default (value 0) at the time of the previous one, with the
// bound the previous decision of their kind had, and a step's cost has its task as its
// site. Each record is one header byte saying which of these hold, then varints for what
// does not (and, for a sparse kind, the ordinal). Records live in fixed-size
// blocks (appending never copies what is stored); every 64th record is coded without reference to
// the ones before, so log[i] decodes at most 63 records.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "sim/decision.h"

namespace lockstep {

class DecisionLog {
 public:
  class const_iterator;

  DecisionLog() = default;
  // Not explicit: anything taking a DecisionLog (replay) takes a vector of decisions too.
  DecisionLog(const std::vector<Decision>& decisions);  // NOLINT(google-explicit-constructor)
  DecisionLog(std::initializer_list<Decision> decisions);
  DecisionLog(const DecisionLog& other);
  DecisionLog& operator=(const DecisionLog& other);
  DecisionLog(DecisionLog&& other) noexcept { *this = std::move(other); }
  DecisionLog& operator=(DecisionLog&& other) noexcept;

  [[gnu::always_inline]] void push_back(const Decision& d) {
    // Inline: a simulation may append a decision per step. Everything is read from and
    // written to the object before the record's bytes are stored: a byte store may alias
    // any member, so interleaving them would make the compiler reload the members.
    std::uint8_t* p = cur_;
    if (p >= limit_) [[unlikely]]  // also for the first record: both null
      p = open_block();
    if (size_ % kCheckpointEvery == 0) [[unlikely]]
      checkpoint(p);
    const auto kind = static_cast<std::uint8_t>(d.kind);
    const bool small_kind = kind < kKindEscape;
    std::uint8_t header = small_kind ? kind : kKindEscape;
    const TimePoint before = writer_.time;
    if (d.value == 0) header |= kValueZero;
    if (d.time == before) header |= kTimeSame;
    if (small_kind) {
      if (d.bound == writer_.bound[kind]) header |= kBoundSame;
      writer_.bound[kind] = d.bound;
    }
    if (d.task == d.site) header |= kTaskIsSite;
    writer_.time = d.time;
    ++size_;

    *p++ = header;
    if (!small_kind) *p++ = kind;
    p = put_varint(p, d.site);
    if (!(header & kTimeSame)) p = put_varint(p, zigzag(time_delta(before, d.time)));
    if (!(header & kBoundSame)) p = put_varint(p, d.bound);
    if (!(header & kValueZero)) p = put_varint(p, d.value);
    if (!(header & kTaskIsSite)) p = put_varint(p, d.task);
    if (is_sparse(d.kind)) p = put_varint(p, d.ordinal);
    cur_ = p;
  }
  void clear() noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // The i-th decision (i < size()).
  Decision operator[](std::size_t i) const;
  Decision front() const { return (*this)[0]; }
  Decision back() const { return size_ ? (*this)[size_ - 1] : Decision{}; }  // {} if empty

  const_iterator begin() const;
  const_iterator end() const;

  // An editable copy.
  std::vector<Decision> to_vector() const;
  operator std::vector<Decision>() const { return to_vector(); }  // NOLINT

  // Bytes held for the records (blocks allocated), for reports and benchmarks.
  std::size_t bytes_reserved() const noexcept;
  // Bytes the records take.
  std::size_t bytes_used() const noexcept;

  friend bool operator==(const DecisionLog& a, const DecisionLog& b);

 private:
  // The first block is small, for the many short runs of a sweep; the others are a huge
  // page each (see new_block).
  static constexpr std::size_t kFirstBlockBytes = 256 * 1024;
  static constexpr std::size_t kBlockBytes = 2 * 1024 * 1024;
  static std::size_t block_bytes(std::size_t b) noexcept {
    return b == 0 ? kFirstBlockBytes : kBlockBytes;
  }
  static constexpr std::size_t kMaxRecordBytes = 2 + 6 * 10;  // header, kind, 6 varints
  static constexpr std::size_t kCheckpointEvery = 64;

  // What a record is coded against: the previous record's time, each kind's last bound.
  // Reset at every checkpoint, in the writer and in a reader starting there.
  struct CodingState {
    TimePoint time{};
    std::array<std::uint64_t, 16> bound{};  // by kind, kinds above 15 always explicit
  };
  struct Position {
    std::uint32_t block = 0;
    std::uint32_t offset = 0;
  };

  // The header byte: the kind in the low nibble (15: an explicit kind byte follows),
  // then one bit for each field that takes no bytes.
  static constexpr std::uint8_t kKindEscape = 15;
  static constexpr std::uint8_t kValueZero = 1u << 4;
  static constexpr std::uint8_t kTimeSame = 1u << 5;
  static constexpr std::uint8_t kBoundSame = 1u << 6;  // the last bound of this kind
  static constexpr std::uint8_t kTaskIsSite = 1u << 7;

  static std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) noexcept {
    while (v >= 0x80) {
      *p++ = static_cast<std::uint8_t>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<std::uint8_t>(v);
    return p;
  }
  // to - from in ns, wrapping: any two times code (a log may hold any decisions), and
  // decoding adds it back the same way.
  static std::int64_t time_delta(TimePoint from, TimePoint to) noexcept {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(to.time_since_epoch().count()) -
                                     static_cast<std::uint64_t>(from.time_since_epoch().count()));
  }
  static std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }

  // Opens a fresh block for the next record; returns where that record goes.
  std::uint8_t* open_block();
  // Record size_, about to be written at `at`, starts a checkpoint.
  void checkpoint(const std::uint8_t* at);
  // Bytes used in block b.
  std::uint32_t used_in(std::size_t b) const noexcept {
    return b + 1 == blocks_.size() ? static_cast<std::uint32_t>(cur_ - blocks_.back().get())
                                   : block_used_[b];
  }
  static Decision decode(const std::uint8_t*& p, CodingState& state);
  const std::uint8_t* at(Position pos) const noexcept {
    return blocks_[pos.block].get() + pos.offset;
  }

  // Blocks come from mmap, mapped in at once: touching fresh pages one by one costs a
  // page fault each, and on a VM with shadow page tables the first write to each 4 KiB
  // page costs about 10us even after MAP_POPULATE (measured: 3.4 MB of decisions took
  // 9 ms to write the first time, 0.4 ms the second). So the first block is populated
  // 4 KiB pages and later ones are 2 MiB-aligned transparent huge pages (one fault each)
  // where the kernel allows them.
  struct Unmap {
    std::size_t bytes = 0;
    void operator()(std::uint8_t* p) const noexcept;
  };
  using Block = std::unique_ptr<std::uint8_t[], Unmap>;
  static Block new_block(std::size_t index);
  std::vector<Block> blocks_;
  std::vector<std::uint32_t> block_used_;  // bytes used in each block but the last (used_in)
  std::uint8_t* cur_ = nullptr;            // where the next record goes, in the last block
  std::uint8_t* limit_ = nullptr;          // from there on a record may not fit: open a block first
  std::vector<Position> checkpoints_;      // where records 0, 64, 128, ... start
  std::size_t size_ = 0;
  CodingState writer_;
};

// Decodes in order; each element is a Decision by value (the log holds no Decision
// objects to refer to).
class DecisionLog::const_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Decision;
  using difference_type = std::ptrdiff_t;
  using reference = Decision;
  using pointer = const Decision*;

  const_iterator() = default;
  Decision operator*() const { return current_; }
  const Decision* operator->() const { return &current_; }
  const_iterator& operator++() {
    ++index_;
    load();
    return *this;
  }
  const_iterator operator++(int) {
    const_iterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
    return a.index_ == b.index_;
  }

 private:
  friend class DecisionLog;
  const_iterator(const DecisionLog* log, std::size_t index);
  void load();

  const DecisionLog* log_ = nullptr;
  std::size_t index_ = 0;
  const std::uint8_t* p_ = nullptr;
  std::uint32_t block_ = 0;
  CodingState state_;
  Decision current_{};
};

}  // namespace lockstep
