// What a sequential specification must provide for the checker (checker.h): the Model
// concept, with the optional parts (partition, describe) detected separately.
//
//   struct Counter {                        // a user model: an integer counter
//     using State = std::int64_t;
//     State init() const { return 0; }
//     // The state after `op`, or nullopt if `op` could not have returned what it did.
//     std::optional<State> step(const State& s, const lockstep::lin::Op& op) const {
//       if (op.f == "add") return s + op.args.at(0);
//       if (op.outcome == lockstep::lin::Outcome::kInfo) return s;   // a read: any result
//       if (*op.result == lockstep::lin::Value(s)) return s;
//       return std::nullopt;
//     }
//     bool equal(const State& a, const State& b) const { return a == b; }
//     std::string describe(const State& s) const { return std::to_string(s); }  // optional
//     std::size_t hash(const State& s) const { return std::hash<State>{}(s); }   // optional
//     std::string partition(const lockstep::lin::Op& op) const { return op.key; } // optional
//   };
//
// step() is called for operations whose outcome is kOk or kInfo (kFail ones never took
// effect). For kInfo the result is unknown: step must accept any result and return the
// state as if the operation took effect. step may throw HistoryError for an operation the
// model does not know. With partition(), operations on different partitions are checked
// separately (P-compositionality): the model must be one for which that is sound, as a
// map of independent keys is.
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <string>

#include "sim/linearizability/history.h"

namespace lockstep::lin {

template <class M>
concept Model = std::copy_constructible<typename M::State> &&
    requires(const M& m, const typename M::State& s, const Op& op) {
  { m.init() } -> std::convertible_to<typename M::State>;
  { m.step(s, op) } -> std::same_as<std::optional<typename M::State>>;
  { m.equal(s, s) } -> std::convertible_to<bool>;
};

template <class M>
concept PartitionedModel = Model<M> && requires(const M& m, const Op& op) {
  { m.partition(op) } -> std::convertible_to<std::string>;
};

// Optional: `std::size_t hash(const State&) const`, equal states hashing equal. The
// search then compares hashes before it calls equal() on the states seen for the same
// operations (all of them, without a hash).
template <class M>
concept HashedModel = Model<M> && requires(const M& m, const typename M::State& s) {
  { m.hash(s) } -> std::convertible_to<std::size_t>;
};

template <class M>
concept DescribedModel = Model<M> && requires(const M& m, const typename M::State& s) {
  { m.describe(s) } -> std::convertible_to<std::string>;
};

// The model's hash of a state, or 0 if it has none.
template <Model M>
std::size_t hash_state(const M& model, const typename M::State& s) {
  if constexpr (HashedModel<M>) {
    return static_cast<std::size_t>(model.hash(s));
  } else {
    return 0;
  }
}

// The model's description of a state, or "(state)" if it has none.
template <Model M>
std::string describe_state(const M& model, const typename M::State& s) {
  if constexpr (DescribedModel<M>) {
    return model.describe(s);
  } else {
    return "(state)";
  }
}

}  // namespace lockstep::lin
