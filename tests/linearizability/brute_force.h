// The obvious linearizability checker, to compare the real one against: every subset of
// the unknown-outcome operations, every permutation, check real time and the model.
// Exponential: for histories of at most ~7 operations.
//
//   bool ok = lockstep::lin::testing::brute_force_linearizable(history, Register{});
#pragma once

#include <algorithm>
#include <map>
#include <vector>

#include "sim/linearizability/history.h"
#include "sim/linearizability/model.h"

namespace lockstep::lin::testing {

// One partition (or the whole history for a model without partition()).
template <Model M>
bool brute_force_single(const std::vector<Op>& all, const M& model) {
  std::vector<Op> sure, maybe;
  for (const Op& op : all) {
    if (op.outcome == Outcome::kOk) sure.push_back(op);
    if (op.outcome == Outcome::kInfo) maybe.push_back(op);
  }
  for (unsigned mask = 0; mask < (1u << maybe.size()); ++mask) {
    std::vector<Op> ops = sure;
    for (std::size_t i = 0; i < maybe.size(); ++i)
      if (mask & (1u << i)) ops.push_back(maybe[i]);
    std::vector<int> order(ops.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    do {
      bool legal = true;
      // Real time: nothing later in the order returned before an earlier one was invoked.
      for (std::size_t a = 0; a < order.size() && legal; ++a)
        for (std::size_t b = a + 1; b < order.size() && legal; ++b) {
          const Op& first = ops[order[a]];
          const Op& second = ops[order[b]];
          if (second.outcome == Outcome::kOk && second.ret < first.invoke) legal = false;
        }
      auto state = model.init();
      for (std::size_t a = 0; a < order.size() && legal; ++a) {
        auto next = model.step(state, ops[order[a]]);
        if (!next) {
          legal = false;
        } else {
          state = *next;
        }
      }
      if (legal) return true;
    } while (std::next_permutation(order.begin(), order.end()));
  }
  return false;
}

template <Model M>
bool brute_force_linearizable(const History& h, const M& model) {
  std::map<std::string, std::vector<Op>> parts;
  for (const Op& op : h) {
    std::string key;
    if constexpr (PartitionedModel<M>) key = model.partition(op);
    parts[key].push_back(op);
  }
  for (const auto& [key, ops] : parts)
    if (!brute_force_single(ops, model)) return false;
  return true;
}

}  // namespace lockstep::lin::testing
