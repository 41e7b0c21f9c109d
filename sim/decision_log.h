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
// does not. Records live in fixed-size blocks (appending never copies what is stored);
// every 64th record is coded without reference to the ones before, so log[i] decodes at
// most 63 records.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
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
  DecisionLog(DecisionLog&&) noexcept = default;
  DecisionLog& operator=(DecisionLog&&) noexcept = default;

  void push_back(const Decision& d);
  void clear() noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // The i-th decision (i < size()).
  Decision operator[](std::size_t i) const;
  Decision front() const { return (*this)[0]; }
  Decision back() const { return last_; }

  const_iterator begin() const;
  const_iterator end() const;

  // An editable copy.
  std::vector<Decision> to_vector() const;
  operator std::vector<Decision>() const { return to_vector(); }  // NOLINT

  // Bytes held for the records (blocks allocated), for reports and benchmarks.
  std::size_t bytes_reserved() const noexcept { return blocks_.size() * kBlockBytes; }

  friend bool operator==(const DecisionLog& a, const DecisionLog& b);

 private:
  static constexpr std::size_t kBlockBytes = 256 * 1024;
  static constexpr std::size_t kMaxRecordBytes = 2 + 5 * 10;  // header, kind, 5 varints
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

  static Decision decode(const std::uint8_t*& p, CodingState& state);
  const std::uint8_t* at(Position pos) const noexcept {
    return blocks_[pos.block].get() + pos.offset;
  }

  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::vector<std::uint32_t> block_used_;  // bytes used in each block
  std::vector<Position> checkpoints_;      // where records 0, 64, 128, ... start
  std::size_t size_ = 0;
  CodingState writer_;
  Decision last_{};
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
