#include "sim/linearizability/history.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace lockstep::lin {

namespace {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInfo:
      return "info";
  }
  return "?";
}

}  // namespace

void validate(const History& history) {
  std::set<int> ids;
  for (const Op& op : history) {
    if (!ids.insert(op.id).second)
      throw HistoryError("history: duplicate operation id " + std::to_string(op.id));
    if (op.f.empty())
      throw HistoryError("history: operation #" + std::to_string(op.id) + " has no name (f)");
    if (op.outcome != Outcome::kInfo && op.ret < op.invoke)
      throw HistoryError("history: " + describe(op) + " returned (at " + std::to_string(op.ret) +
                         ") before it was invoked (at " + std::to_string(op.invoke) + ")");
    if (op.outcome != Outcome::kOk && op.result)
      throw HistoryError("history: " + describe(op) + " has a result but its outcome is " +
                         outcome_name(op.outcome));
  }
  // A client calls one operation at a time: an operation that returned (ok or fail) must
  // not overlap the client's next one. After an unknown outcome the client may go on (it
  // gave up waiting); the unknown operation may still take effect later.
  std::map<int, std::vector<const Op*>> by_client;
  for (const Op& op : history) by_client[op.client].push_back(&op);
  for (auto& [client, ops] : by_client) {
    std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) {
      return std::tie(a->invoke, a->id) < std::tie(b->invoke, b->id);
    });
    for (std::size_t i = 0; i + 1 < ops.size(); ++i) {
      const Op& a = *ops[i];
      const Op& b = *ops[i + 1];
      if (a.outcome != Outcome::kInfo && a.ret > b.invoke)
        throw HistoryError("history: client " + std::to_string(client) +
                           " has two operations at once: " + describe(a) + " and " + describe(b));
    }
  }
}

std::string describe_value(const Value& value) {
  return value ? std::to_string(*value) : std::string("nil");
}

std::string describe_call(const Op& op) {
  std::string s = op.f;
  if (!op.key.empty()) s += "[" + op.key + "]";
  if (!op.args.empty()) {
    s += "(";
    for (std::size_t i = 0; i < op.args.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(op.args[i]);
    }
    s += ")";
  }
  return s;
}

std::string describe(const Op& op) {
  std::string s = "#" + std::to_string(op.id) + " client " + std::to_string(op.client) + " " +
                  describe_call(op) + " [" + std::to_string(op.invoke) + ", ";
  switch (op.outcome) {
    case Outcome::kOk:
      s += std::to_string(op.ret) + "] -> " + (op.result ? describe_value(*op.result) : "ok");
      break;
    case Outcome::kFail:
      s += std::to_string(op.ret) + "] -> fail";
      break;
    case Outcome::kInfo:
      s += "?] -> ?";
      break;
  }
  return s;
}

}  // namespace lockstep::lin
