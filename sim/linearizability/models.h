// The models lockstep ships for the checker (checker.h): a register, a map of registers
// checked one key at a time, a FIFO queue. Their operations are Jepsen's.
//
//   lockstep::lin::Register reg;      // read -> v | nil, write(v), cas(from, to)
//   lockstep::lin::KvMap kv;          // the same on op.key (get/put are read/write), per key
//   lockstep::lin::FifoQueue queue;   // enqueue(v), dequeue -> v | nil (empty)
//   lockstep::lin::CheckResult r = lockstep::lin::check(history, kv);
//
// A cas that returned ok succeeded; one that did not succeed must be recorded as kFail (it
// did not take effect), as Jepsen does. A read or a dequeue that returned ok must carry its
// result (nil for nothing); without one the model throws HistoryError.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "sim/linearizability/history.h"

namespace lockstep::lin {

// A single register holding an integer or nil.
struct Register {
  using State = Value;
  Value initial = kNil;  // what a read returns before any write

  State init() const { return initial; }
  std::optional<State> step(const State& s, const Op& op) const;
  bool equal(const State& a, const State& b) const { return a == b; }
  std::size_t hash(const State& s) const { return std::hash<State>{}(s); }
  std::string describe(const State& s) const { return describe_value(s); }
};

// Independent registers, one per op.key: each key is checked alone (P-compositionality).
// get/read, put/write and cas as for Register.
struct KvMap {
  using State = Value;
  Value initial = kNil;

  State init() const { return initial; }
  std::optional<State> step(const State& s, const Op& op) const;
  bool equal(const State& a, const State& b) const { return a == b; }
  std::size_t hash(const State& s) const { return std::hash<State>{}(s); }
  std::string describe(const State& s) const { return describe_value(s); }
  std::string partition(const Op& op) const { return op.key; }
};

// A FIFO queue of integers: enqueue(v); dequeue returns the oldest, or nil when empty.
struct FifoQueue {
  using State = std::deque<std::int64_t>;

  State init() const { return {}; }
  std::optional<State> step(const State& s, const Op& op) const;
  bool equal(const State& a, const State& b) const { return a == b; }
  std::size_t hash(const State& s) const;
  std::string describe(const State& s) const;
};

}  // namespace lockstep::lin
