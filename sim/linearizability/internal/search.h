// The Wing-Gong/Lowe search (with Lowe's memo of (linearized set, state)) over one
// partition of a history: private to checker.h.
//
//   std::vector<const Op*> ops = ...;   // one partition, no kFail operations
//   internal::Spending spending(budget);
//   internal::SearchResult r = internal::search(model, ops, spending, /*track=*/true);
//
// The operations' call and return events form a doubly linked list in time order (calls
// before returns at equal times, so operations that touch are concurrent). The
// candidates to linearize next are the calls before the first return in the list;
// linearizing one takes its two events out (lift), backtracking puts them back (unlift).
// An operation with an unknown outcome has no return event: nothing has to come after
// it, and the search succeeds once every kOk operation is linearized, whether or not the
// unknown ones were.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/linearizability/budget.h"
#include "sim/linearizability/history.h"
#include "sim/linearizability/model.h"

namespace lockstep::lin::internal {

enum class SearchVerdict { kLinearizable, kIllegal, kOutOfBudget };

struct SearchResult {
  SearchVerdict verdict = SearchVerdict::kLinearizable;
  std::uint64_t states = 0;   // memo entries made
  std::uint64_t bytes = 0;    // their estimated size
  std::vector<int> longest;   // with track: the longest linearization seen (indices)
  std::string longest_state;  // the model's state after it
};

struct BitsHash {
  std::size_t operator()(const std::vector<std::uint64_t>& bits) const noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ull;
    for (std::uint64_t w : bits) {
      h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h *= 0xff51afd7ed558ccdull;
    }
    return static_cast<std::size_t>(h ^ (h >> 33));
  }
};

// The events of `ops` in time order: 2i is op i's call, 2i+1 its return (kOk only).
inline std::vector<int> event_order(const std::vector<const Op*>& ops) {
  std::vector<std::tuple<std::int64_t, int, int, int>> events;  // time, kind, id, event
  for (std::size_t i = 0; i < ops.size(); ++i) {
    events.emplace_back(ops[i]->invoke, 0, ops[i]->id, static_cast<int>(2 * i));
    if (ops[i]->outcome == Outcome::kOk)
      events.emplace_back(ops[i]->ret, 1, ops[i]->id, static_cast<int>(2 * i + 1));
  }
  std::sort(events.begin(), events.end());
  std::vector<int> order;
  order.reserve(events.size());
  for (const auto& e : events) order.push_back(std::get<3>(e));
  return order;
}

template <Model M>
SearchResult search(const M& model, const std::vector<const Op*>& ops, Spending& spending,
                    bool track) {
  using State = typename M::State;
  SearchResult result;
  const int n = static_cast<int>(ops.size());
  const int head = 2 * n;  // the list's sentinel
  std::vector<int> next(2 * n + 1, -1), prev(2 * n + 1, -1);
  {
    int last = head;
    for (int e : event_order(ops)) {
      next[last] = e;
      prev[e] = last;
      last = e;
    }
  }
  auto unlink = [&](int e) {
    next[prev[e]] = next[e];
    if (next[e] >= 0) prev[next[e]] = prev[e];
  };
  auto relink = [&](int e) {
    next[prev[e]] = e;
    if (next[e] >= 0) prev[next[e]] = e;
  };
  auto has_return = [&](int i) { return ops[i]->outcome == Outcome::kOk; };

  int remaining_ok = 0;
  for (int i = 0; i < n; ++i) remaining_ok += has_return(i);

  std::vector<std::uint64_t> bits((n + 63) / 64, 0);
  std::unordered_map<std::vector<std::uint64_t>, std::vector<State>, BitsHash> memo;
  struct Frame {
    int call;     // the call event linearized
    State state;  // the state before it
  };
  std::vector<Frame> stack;
  State state = model.init();
  auto note_longest = [&] {
    if (!track || stack.size() <= result.longest.size()) return;
    result.longest.clear();
    for (const Frame& f : stack) result.longest.push_back(f.call / 2);
    result.longest_state = describe_state(model, state);
  };
  if (track) result.longest_state = describe_state(model, state);

  int entry = next[head];
  while (remaining_ok > 0) {
    if (entry < 0) {  // cannot happen while a kOk return is in the list; kept for safety
      result.verdict = SearchVerdict::kIllegal;
      return result;
    }
    if (entry % 2 == 0) {
      const int i = entry / 2;
      std::optional<State> after = model.step(state, *ops[i]);
      if (after) {
        bits[i / 64] |= std::uint64_t{1} << (i % 64);
        std::vector<State>& seen = memo[bits];
        bool fresh = true;
        for (const State& s : seen)
          if (model.equal(s, *after)) {
            fresh = false;
            break;
          }
        if (fresh) {
          seen.push_back(*after);
          result.bytes += bits.size() * sizeof(std::uint64_t) + sizeof(State) + 48;
          if (!spending.charge(++result.states, result.bytes)) {
            result.verdict = SearchVerdict::kOutOfBudget;
            return result;
          }
          stack.push_back(Frame{entry, std::move(state)});
          state = std::move(*after);
          unlink(entry);
          if (has_return(i)) {
            unlink(entry + 1);
            --remaining_ok;
          }
          note_longest();
          entry = next[head];
          continue;
        }
        bits[i / 64] &= ~(std::uint64_t{1} << (i % 64));
      }
      entry = next[entry];
    } else {  // a return: the operation it ends cannot be put off; backtrack
      if (stack.empty()) {
        result.verdict = SearchVerdict::kIllegal;
        return result;
      }
      Frame top = std::move(stack.back());
      stack.pop_back();
      const int i = top.call / 2;
      bits[i / 64] &= ~(std::uint64_t{1} << (i % 64));
      state = std::move(top.state);
      if (has_return(i)) {
        relink(top.call + 1);
        ++remaining_ok;
      }
      relink(top.call);
      entry = next[top.call];
    }
  }
  if (track) note_longest();
  result.verdict = SearchVerdict::kLinearizable;
  return result;
}

}  // namespace lockstep::lin::internal
