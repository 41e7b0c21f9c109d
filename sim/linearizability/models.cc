#include "sim/linearizability/models.h"

namespace lockstep::lin {

namespace {

std::int64_t arg(const Op& op, std::size_t i, std::size_t count) {
  if (op.args.size() != count)
    throw HistoryError("model: " + describe(op) + " needs " + std::to_string(count) +
                       " argument(s), has " + std::to_string(op.args.size()));
  return op.args[i];
}

// The result of an ok read-like operation (HistoryError if it has none).
const Value& result_of(const Op& op) {
  if (!op.result)
    throw HistoryError("model: " + describe(op) +
                       " returned ok without a result (use kNil for nil)");
  return *op.result;
}

std::optional<Value> register_step(const Value& s, const Op& op, const char* read,
                                   const char* write) {
  const bool unknown = op.outcome == Outcome::kInfo;
  if (op.f == read || op.f == "read") {
    if (unknown || result_of(op) == s) return s;
    return std::nullopt;
  }
  if (op.f == write || op.f == "write") return Value(arg(op, 0, 1));
  if (op.f == "cas") {
    const std::int64_t from = arg(op, 0, 2);
    if (s == Value(from)) return Value(op.args[1]);
    return std::nullopt;  // an ok (or, if it happened, an unknown) cas succeeded
  }
  throw HistoryError("model: unknown operation " + describe(op) + " (a register knows " + read +
                     ", " + write + ", cas)");
}

}  // namespace

std::optional<Register::State> Register::step(const State& s, const Op& op) const {
  return register_step(s, op, "read", "write");
}

std::optional<KvMap::State> KvMap::step(const State& s, const Op& op) const {
  return register_step(s, op, "get", "put");
}

std::optional<FifoQueue::State> FifoQueue::step(const State& s, const Op& op) const {
  if (op.f == "enqueue") {
    State next = s;
    next.push_back(arg(op, 0, 1));
    return next;
  }
  if (op.f == "dequeue") {
    if (op.outcome == Outcome::kInfo) {  // took the head, whatever it was
      if (s.empty()) return s;
      State next = s;
      next.pop_front();
      return next;
    }
    const Value& got = result_of(op);
    if (s.empty()) {
      if (!got) return s;
      return std::nullopt;
    }
    if (got != Value(s.front())) return std::nullopt;
    State next = s;
    next.pop_front();
    return next;
  }
  throw HistoryError("model: unknown operation " + lin::describe(op) +
                     " (a queue knows enqueue, dequeue)");
}

std::size_t FifoQueue::hash(const State& s) const {
  std::uint64_t h = 0xcbf29ce484222325ull ^ s.size();
  for (std::int64_t v : s) h = (h ^ static_cast<std::uint64_t>(v)) * 0x100000001b3ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

std::string FifoQueue::describe(const State& s) const {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += " ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

}  // namespace lockstep::lin
