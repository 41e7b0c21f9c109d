// The linearizability checker: is there an order of the operations of a history, one at a
// time, that respects real time (an operation that returned before another was invoked
// comes first) and that the sequential model accepts?
//
//   lockstep::lin::History h = recorder.history();           // recorder.h
//   lockstep::lin::CheckResult r = lockstep::lin::check(h, lockstep::lin::KvMap{});
//   if (r.verdict == lockstep::lin::Verdict::kNotLinearizable) {
//     std::puts(r.text.c_str());        // the smallest illegal prefix, the operations involved
//     write_file("h.html", lockstep::lin::to_html(h, r));   // html.h
//   }
//
// The search is Wing and Gong's with Lowe's memo of (set of linearized operations, model
// state), one partition at a time when the model has partition() (P-compositionality).
// Operations with an unknown outcome (kInfo) may take effect at any time after their
// invocation, or never; kFail ones never did and are ignored. The verdict is kUnknown,
// with the reason, when the Budget runs out. Throws HistoryError for a malformed history
// (validate(), history.h) or an operation the model does not know.
//
// For a failure, the checker finds the smallest illegal prefix of the failing partition:
// the history cut just after the earliest return that makes it non-linearizable
// (operations still running at that point count as unknown), then a minimal set of its
// completed operations whose results cannot be explained together (the prefix stays
// illegal with every other operation made unknown), and the longest linearization found.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/linearizability/budget.h"
#include "sim/linearizability/history.h"
#include "sim/linearizability/internal/search.h"
#include "sim/linearizability/model.h"

namespace lockstep::lin {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };

// "linearizable", "not linearizable", "unknown".
const char* to_string(Verdict v);

struct CheckResult {
  Verdict verdict = Verdict::kLinearizable;
  std::size_t partitions = 0;          // partitions checked (1 without partition())
  std::uint64_t states = 0;            // memo entries made, over all partitions
  std::string partition;               // the failing (or undecided) partition's key
  std::string reason;                  // kUnknown: which budget ran out
  History prefix;                      // kNotLinearizable: the smallest illegal prefix
  std::vector<int> involved;           // ids of the ok operations of `prefix` whose results,
                                       // together, cannot be explained (a minimal such set)
  std::vector<int> linearized;         // ids: the longest linearization of `prefix` found
  std::string state_after;             // the model's state after `linearized`
  bool explanation_cut_short = false;  // the budget ended the explaining early: `prefix`
                                       // and `involved` hold but may not be minimal
  bool longest_cut_short = false;      // the search for `linearized` ran out of budget
  std::string text;                    // all of the above, readable

  bool linearizable() const { return verdict == Verdict::kLinearizable; }
};

// Checks `history` against `model` (see above).
template <Model M>
CheckResult check(const History& history, const M& model, const Budget& budget = {});

namespace internal {

// The operations of `ops` (one partition, no kFail) as they stood just after the k-th
// return (1-based, in event order): later ones dropped, running ones made unknown.
History cut_after_return(const std::vector<const Op*>& ops, std::size_t k);
std::size_t count_returns(const std::vector<const Op*>& ops);
std::vector<const Op*> pointers(const History& h);
// The operations to check, by partition key, in key order (kFail ones left out).
std::map<std::string, std::vector<const Op*>> group(
    const History& h, const std::function<std::string(const Op&)>& key);
// Fills result.text from the other fields.
void write_text(CheckResult& result);

// True if `ops` is known illegal (out of budget: false, and `cut_short` is set).
template <Model M>
bool illegal(const M& model, const std::vector<const Op*>& ops, Spending& spending,
             bool& cut_short) {
  const SearchResult r = search(model, ops, spending, false);
  spending.spent(r.states);
  if (r.verdict == SearchVerdict::kOutOfBudget) cut_short = true;
  return r.verdict == SearchVerdict::kIllegal;
}

// Narrows a partition found illegal down to its smallest illegal prefix, a minimal set of
// its completions that cannot be explained together (for prefixes of up to 200
// operations; beyond, every completed one), and the longest linearization of the prefix.
// `budget`: what the check has left (Spending::remaining()).
template <Model M>
void explain(const M& model, const std::vector<const Op*>& ops, const Budget& budget,
             CheckResult& result) {
  Spending spending(budget);  // the prefix and the minimal set share it
  spending.limit_total(budget.max_states > UINT64_MAX / kExplainStatesFactor
                           ? UINT64_MAX
                           : budget.max_states * kExplainStatesFactor);
  bool& cut_short = result.explanation_cut_short;
  // Illegality only grows with the prefix: binary search on the returns.
  std::size_t lo = 1, hi = count_returns(ops);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    History cut = cut_after_return(ops, mid);
    if (illegal(model, pointers(cut), spending, cut_short)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  result.prefix = cut_after_return(ops, hi);
  // The longest linearization, on a budget of its own (max_states, what is left of the
  // time): the picture of where it gets stuck survives the minimizing running out.
  {
    std::vector<const Op*> prefix = pointers(result.prefix);
    Spending own(spending.remaining());
    SearchResult longest = search(model, prefix, own, true);
    result.longest_cut_short = longest.verdict == SearchVerdict::kOutOfBudget;
    for (int i : longest.longest) result.linearized.push_back(prefix[i]->id);
    result.state_after = longest.longest_state;
  }
  // Which completions matter: make ok operations unknown one at a time (latest invoked
  // first; that only adds freedom) and keep each change that leaves the prefix illegal.
  // What stays ok is a minimal set of observations that cannot be explained together.
  constexpr std::size_t kMaxToMinimize = 200;
  History relaxed = result.prefix;
  if (relaxed.size() <= kMaxToMinimize) {
    for (std::size_t i = relaxed.size(); i-- > 0;) {
      if (relaxed[i].outcome != Outcome::kOk) continue;
      if (spending.total_spent() || spending.out_of_time()) {
        cut_short = true;
        break;
      }
      History trial = relaxed;
      trial[i].outcome = Outcome::kInfo;
      trial[i].ret = 0;
      trial[i].result.reset();
      if (illegal(model, pointers(trial), spending, cut_short)) relaxed = std::move(trial);
    }
  }
  for (const Op& op : relaxed)
    if (op.outcome == Outcome::kOk) result.involved.push_back(op.id);
}

}  // namespace internal

template <Model M>
CheckResult check(const History& history, const M& model, const Budget& budget) {
  validate(history);
  std::function<std::string(const Op&)> key = [](const Op&) { return std::string(); };
  if constexpr (PartitionedModel<M>)
    key = [&model](const Op& op) { return std::string(model.partition(op)); };
  CheckResult result;
  internal::Spending spending(budget);
  for (auto& [name, ops] : internal::group(history, key)) {
    ++result.partitions;
    internal::SearchResult r = internal::search(model, ops, spending, false);
    result.states += r.states;
    if (r.verdict == internal::SearchVerdict::kIllegal) {
      result.verdict = Verdict::kNotLinearizable;
      result.partition = name;
      result.reason.clear();
      if (budget.explain) internal::explain(model, ops, spending.remaining(), result);
      break;
    }
    if (r.verdict == internal::SearchVerdict::kOutOfBudget &&
        result.verdict == Verdict::kLinearizable) {
      result.verdict = Verdict::kUnknown;
      result.partition = name;
      result.reason = spending.reason();
    }
    if (spending.out_of_time()) {
      if (result.verdict == Verdict::kLinearizable) result.verdict = Verdict::kUnknown;
      break;
    }
  }
  internal::write_text(result);
  return result;
}

}  // namespace lockstep::lin
