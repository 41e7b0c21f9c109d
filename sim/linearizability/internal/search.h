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
//
// Unknown operations would make the search exponential in their number (any subset may
// have taken effect), so it takes them lazily, and prunes with what "may never happen"
// allows: (1) at each point the kOk candidates are tried before the unknown ones; (2) an
// unknown operation that leaves the state as it is (a read) is never linearized: leaving
// it out does the same; nor one right after another unknown one that made no difference
// to it (a write over a write): the point before offers it alone; (3) a point (kOk operations
// linearized, state, unknown ones linearized U) is dominated by one seen with the same kOk set and
// state and a subset of U: every way on from here was open there too, so it is not explored again.
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

  // The linearized set, split: kOk operations (the memo's key) and unknown ones.
  // The memo's key: the kOk set.
  const std::size_t words = (n + 63) / 64;
  std::vector<std::uint64_t> bits(words, 0), unknown_bits(words, 0);
  std::vector<int> unknown_ops;  // indices, ascending
  for (int i = 0; i < n; ++i)
    if (!has_return(i)) unknown_ops.push_back(i);
  auto is_set = [](const std::vector<std::uint64_t>& b, int i) {
    return (b[i / 64] >> (i % 64) & 1) != 0;
  };
  struct Seen {
    std::size_t hash;  // the model's, or 0: compared before the states
    State state;
    std::vector<int> unknown;  // the unknown operations linearized, ascending (few, usually)
  };
  std::unordered_map<std::vector<std::uint64_t>, std::vector<Seen>, BitsHash> memo;
  // True if a point with `after` and `unknown_bits` was seen, or one dominating it; else
  // remembers it (and forgets the points it dominates: the list stays an antichain).
  auto seen_before = [&](std::vector<Seen>& seen, const State& after) {
    const std::size_t hash = hash_state(model, after);
    auto same_state = [&](const Seen& s) { return s.hash == hash && model.equal(s.state, after); };
    std::vector<int> mine;  // only a partition with unknown operations has any
    if (!unknown_ops.empty())
      for (int i : unknown_ops)
        if (is_set(unknown_bits, i)) mine.push_back(i);
    auto within_mine = [&](const Seen& s) {
      return std::all_of(s.unknown.begin(), s.unknown.end(),
                         [&](int i) { return is_set(unknown_bits, i); });
    };
    auto mine_within = [&](const Seen& s) {
      return std::includes(s.unknown.begin(), s.unknown.end(), mine.begin(), mine.end());
    };
    bool dominates_one = false;
    for (const Seen& s : seen) {
      if (!same_state(s)) continue;
      if (within_mine(s)) return true;
      dominates_one = dominates_one || mine_within(s);
    }
    if (dominates_one)
      std::erase_if(seen, [&](const Seen& s) { return same_state(s) && mine_within(s); });
    seen.push_back(Seen{hash, after, std::move(mine)});
    return false;
  };
  auto set_bit = [&](int i, bool on) {
    std::vector<std::uint64_t>& b = has_return(i) ? bits : unknown_bits;
    const std::uint64_t m = std::uint64_t{1} << (i % 64);
    b[i / 64] = on ? (b[i / 64] | m) : (b[i / 64] & ~m);
  };
  struct Frame {
    int call;     // the call event linearized
    State state;  // the state before it
  };
  std::vector<Frame> stack;
  State state = model.init();
  // The longest linearization: the most kOk operations, then the most in all (the
  // pruning skips unknown ones that change nothing, so "longest" counts what matters).
  std::size_t ok_in_stack = 0, longest_ok = 0;
  auto note_longest = [&] {
    if (!track ||
        std::pair(ok_in_stack, stack.size()) <= std::pair(longest_ok, result.longest.size()))
      return;
    longest_ok = ok_in_stack;
    result.longest.clear();
    for (const Frame& f : stack) result.longest.push_back(f.call / 2);
    result.longest_state = describe_state(model, state);
  };
  if (track) result.longest_state = describe_state(model, state);

  // The candidates are the calls before the first return: first the kOk ones (pass 0),
  // then the unknown ones (pass 1).
  int entry = next[head];
  int pass = 0;
  while (remaining_ok > 0) {
    if (entry < 0) {  // cannot happen while a kOk return is in the list; kept for safety
      result.verdict = SearchVerdict::kIllegal;
      return result;
    }
    if (entry % 2 == 0) {
      const int i = entry / 2;
      if (has_return(i) != (pass == 0)) {  // not this pass's kind
        entry = next[entry];
        continue;
      }
      std::optional<State> after = model.step(state, *ops[i]);
      if (after && !has_return(i)) {
        // An unknown operation that changes nothing is as good as never happening.
        if (model.equal(*after, state)) after.reset();
        // Right after another unknown one that made no difference to it (a write over a
        // write): the point before that one, which tries this one too, dominates.
        else if (!stack.empty() && !has_return(stack.back().call / 2)) {
          const std::optional<State> alone = model.step(stack.back().state, *ops[i]);
          if (alone && model.equal(*alone, *after)) after.reset();
        }
      }
      if (after) {
        set_bit(i, true);
        if (!seen_before(memo[bits], *after)) {
          result.bytes += words * sizeof(std::uint64_t) + sizeof(Seen) + 48;
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
            ++ok_in_stack;
          }
          note_longest();
          entry = next[head];
          pass = 0;
          continue;
        }
        set_bit(i, false);
      }
      entry = next[entry];
    } else if (pass == 0) {  // the kOk candidates are done: now the unknown ones
      pass = 1;
      entry = next[head];
    } else {  // a return: the operation it ends cannot be put off; backtrack
      if (stack.empty()) {
        result.verdict = SearchVerdict::kIllegal;
        return result;
      }
      Frame top = std::move(stack.back());
      stack.pop_back();
      const int i = top.call / 2;
      set_bit(i, false);
      state = std::move(top.state);
      if (has_return(i)) {
        relink(top.call + 1);
        ++remaining_ok;
        --ok_in_stack;
      }
      relink(top.call);
      entry = next[top.call];
      pass = has_return(i) ? 0 : 1;
    }
  }
  note_longest();
  result.verdict = SearchVerdict::kLinearizable;
  return result;
}

}  // namespace lockstep::lin::internal
