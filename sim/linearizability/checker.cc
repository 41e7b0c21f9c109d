#include "sim/linearizability/checker.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace lockstep::lin {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable:
      return "linearizable";
    case Verdict::kNotLinearizable:
      return "not linearizable";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

namespace internal {

namespace {

// The return events of `ops` in event order: (time, id).
std::vector<std::pair<std::int64_t, int>> returns(const std::vector<const Op*>& ops) {
  std::vector<std::pair<std::int64_t, int>> r;
  for (const Op* op : ops)
    if (op->outcome == Outcome::kOk) r.emplace_back(op->ret, op->id);
  std::sort(r.begin(), r.end());
  return r;
}

const Op* find(const History& h, int id) {
  for (const Op& op : h)
    if (op.id == id) return &op;
  return nullptr;
}

}  // namespace

std::size_t count_returns(const std::vector<const Op*>& ops) { return returns(ops).size(); }

History cut_after_return(const std::vector<const Op*>& ops, std::size_t k) {
  const auto r = returns(ops);
  const std::pair<std::int64_t, int> cut = r.at(k - 1);
  History out;
  for (const Op* op : ops) {
    if (op->invoke > cut.first) continue;  // calls at the cut's time come before it
    Op copy = *op;
    if (copy.outcome == Outcome::kOk && std::make_pair(copy.ret, copy.id) > cut) {
      copy.outcome = Outcome::kInfo;  // still running at the cut
      copy.ret = 0;
      copy.result.reset();
    }
    out.push_back(std::move(copy));
  }
  std::sort(out.begin(), out.end(), [](const Op& a, const Op& b) {
    return std::tie(a.invoke, a.id) < std::tie(b.invoke, b.id);
  });
  return out;
}

std::vector<const Op*> pointers(const History& h) {
  std::vector<const Op*> p;
  for (const Op& op : h) p.push_back(&op);
  return p;
}

std::map<std::string, std::vector<const Op*>> group(
    const History& h, const std::function<std::string(const Op&)>& key) {
  std::map<std::string, std::vector<const Op*>> parts;
  for (const Op& op : h)
    if (op.outcome != Outcome::kFail) parts[key(op)].push_back(&op);
  for (auto& [name, ops] : parts)
    std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) {
      return std::tie(a->invoke, a->id) < std::tie(b->invoke, b->id);
    });
  return parts;
}

void write_text(CheckResult& r) {
  std::string t = to_string(r.verdict);
  const std::string where = r.partition.empty() ? "" : " (partition \"" + r.partition + "\")";
  switch (r.verdict) {
    case Verdict::kLinearizable:
      t += ": " + std::to_string(r.partitions) + " partition(s), " + std::to_string(r.states) +
           " states";
      break;
    case Verdict::kUnknown:
      t += where + ": " + r.reason;
      break;
    case Verdict::kNotLinearizable: {
      if (r.prefix.empty()) {  // Budget::explain was off
        t += where + " (not explained: Budget::explain is off)";
        break;
      }
      t += where + ": these " + std::to_string(r.involved.size()) +
           " results cannot be explained together:\n";
      for (int id : r.involved)
        if (const Op* op = find(r.prefix, id)) t += "  " + describe(*op) + "\n";
      std::int64_t end = 0;
      for (const Op& op : r.prefix)
        if (op.outcome == Outcome::kOk) end = std::max(end, op.ret);
      t += "smallest illegal prefix: the " + std::to_string(r.prefix.size()) +
           " operations up to time " + std::to_string(end) +
           " (those still running then count as unknown):\n";
      const std::set<int> involved(r.involved.begin(), r.involved.end());
      for (const Op& op : r.prefix)
        t += (involved.count(op.id) ? "* " : "  ") + describe(op) + "\n";
      t += "longest linearization of the prefix found:";
      if (r.linearized.empty()) t += " none";
      for (int id : r.linearized)
        if (const Op* op = find(r.prefix, id)) {
          t += " #" + std::to_string(id) + " " + describe_call(*op);
          if (op->result) t += "->" + describe_value(*op->result);
          t += ";";
        }
      t += "\nstate then: " + r.state_after +
           (r.longest_cut_short ? " (the search for a longer one ran out of budget)"
                                : "; no completed operation left can go next");
      if (r.explanation_cut_short)
        t += "\n(explanation cut short by the budget: the prefix and the results above are "
             "illegal, but may not be the smallest)";
      break;
    }
  }
  r.text = std::move(t);
}

}  // namespace internal
}  // namespace lockstep::lin
