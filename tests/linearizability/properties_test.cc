// RapidCheck laws: the checker agrees with the brute force (every permutation) on random
// small histories of registers, key-value maps and queues, with unknown and failed
// outcomes; and a history made by running the model at random linearization points is
// always linearizable. 2000 cases per property unless RC_PARAMS says otherwise.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/models.h"
#include "tests/linearizability/brute_force.h"

namespace lockstep::lin {
namespace {

// Thousands of cases by default: RapidCheck reads RC_PARAMS at its first property.
const bool kParams = [] {
  setenv("RC_PARAMS", "max_success=2000", /*overwrite=*/0);
  return true;
}();

enum class Kind { kRegister, kKv, kQueue };

// An operation's call for `kind`, with small values so that histories collide.
Op random_call(Kind kind) {
  Op op;
  const int which = *rc::gen::inRange(0, 3);
  const auto value = [] { return static_cast<std::int64_t>(*rc::gen::inRange(0, 3)); };
  if (kind == Kind::kQueue) {
    op.f = which == 0 ? "dequeue" : "enqueue";
    if (which != 0) op.args = {value()};
  } else {
    op.f = which == 0 ? "read" : which == 1 ? "write" : "cas";
    if (which == 1) op.args = {value()};
    if (which == 2) op.args = {value(), value()};
    if (kind == Kind::kKv) op.key = *rc::gen::element<std::string>("x", "y");
  }
  return op;
}

// A history of up to `max_ops` operations: random intervals (invoked in [0, spread),
// lasting up to 10); results either made up at
// random (`faithful` false) or those of running the model at a random point of each
// interval (true), so that the history is linearizable by construction.
template <Model M>
History random_history(Kind kind, const M& model, int max_ops, bool faithful, int spread = 20) {
  const int n = *rc::gen::inRange(0, max_ops + 1);
  History h;
  std::vector<std::pair<std::int64_t, int>> points;  // linearization point, index
  for (int i = 0; i < n; ++i) {
    Op op = random_call(kind);
    op.id = i;
    op.client = i;
    op.invoke = *rc::gen::inRange(0, spread);
    op.ret = op.invoke + *rc::gen::inRange(0, 10);
    const int outcome = *rc::gen::inRange(0, 10);
    op.outcome = outcome < 6 ? Outcome::kOk : outcome < 9 ? Outcome::kInfo : Outcome::kFail;
    if (op.outcome == Outcome::kInfo && faithful) {
      // Took effect somewhere after its invocation (maybe long after), or not at all.
      if (*rc::gen::arbitrary<bool>())
        points.emplace_back(2 * (op.invoke + *rc::gen::inRange(0, 30)), i);
    } else if (op.outcome == Outcome::kOk && faithful) {
      points.emplace_back(2 * *rc::gen::inRange(op.invoke, op.ret + 1) + 1, i);
    }
    h.push_back(std::move(op));
  }
  if (!faithful) {
    for (Op& op : h)
      if (op.outcome == Outcome::kOk && (op.f == "read" || op.f == "dequeue"))
        if (const int v = *rc::gen::inRange(-1, 3); v >= 0) {
          op.result = Value(v);
        } else {
          op.result = kNil;
        }
    return h;
  }
  // Run the model at the points, per key, and record what each operation returned.
  std::sort(points.begin(), points.end());
  std::map<std::string, typename M::State> states;
  for (const auto& [point, i] : points) {
    Op& op = h[i];
    auto [it, fresh] = states.try_emplace(op.key, model.init());
    typename M::State& s = it->second;
    if constexpr (std::is_same_v<M, FifoQueue>) {
      if (op.f == "dequeue") op.result = s.empty() ? kNil : Value(s.front());
    } else {
      if (op.f == "read") op.result = s;
    }
    Op probe = op;
    auto next = model.step(s, probe);
    if (!next) {  // a cas that found another value: it failed (did not take effect)
      op.outcome = Outcome::kFail;
      op.result.reset();
      continue;
    }
    s = *next;
    if (op.outcome == Outcome::kInfo) op.result.reset();
  }
  for (Op& op : h)  // reads of unknown outcome not linearized: any result is fine
    if (op.outcome == Outcome::kOk && !op.result && (op.f == "read" || op.f == "dequeue"))
      op.result = kNil;
  return h;
}

template <Model M>
void agrees_with_brute_force(Kind kind, const M& model) {
  const History h = random_history(kind, model, 7, *rc::gen::arbitrary<bool>());
  const CheckResult result = check(h, model);
  RC_CLASSIFY(result.linearizable(), "linearizable");
  RC_CLASSIFY(
      std::any_of(h.begin(), h.end(), [](const Op& op) { return op.outcome == Outcome::kInfo; }),
      "with unknown outcomes");
  RC_CLASSIFY(h.size() >= 6, "6 or 7 operations");
  RC_ASSERT(result.verdict != Verdict::kUnknown);
  RC_ASSERT(result.linearizable() == testing::brute_force_linearizable(h, model));
  if (!result.linearizable()) {
    // The explanation is itself illegal, and every shorter cut is not.
    RC_ASSERT(!testing::brute_force_linearizable(result.prefix, model));
    RC_ASSERT(!result.involved.empty());
  }
}

RC_GTEST_PROP(LinearizabilityLaws, RegisterAgreesWithBruteForce, ()) {
  agrees_with_brute_force(Kind::kRegister, Register{});
}

RC_GTEST_PROP(LinearizabilityLaws, KvAgreesWithBruteForce, ()) {
  agrees_with_brute_force(Kind::kKv, KvMap{});
}

RC_GTEST_PROP(LinearizabilityLaws, QueueAgreesWithBruteForce, ()) {
  agrees_with_brute_force(Kind::kQueue, FifoQueue{});
}

// Bigger histories than the brute force can take (a few operations at once): made by
// running the model, they are never reported non-linearizable. A budget of states keeps
// the rare hard case (many unknown writes that never took effect) bounded: that is
// "unknown", counted below, never a wrong verdict.
RC_GTEST_PROP(LinearizabilityLaws, ExecutionsOfTheModelAreLinearizable, ()) {
  Budget budget;
  budget.max_states = 5'000;
  const CheckResult kv = check(random_history(Kind::kKv, KvMap{}, 30, true, 240), KvMap{}, budget);
  const CheckResult queue =
      check(random_history(Kind::kQueue, FifoQueue{}, 20, true, 120), FifoQueue{}, budget);
  RC_CLASSIFY(kv.verdict == Verdict::kUnknown || queue.verdict == Verdict::kUnknown,
              "out of budget");
  RC_ASSERT(kv.verdict != Verdict::kNotLinearizable);
  RC_ASSERT(queue.verdict != Verdict::kNotLinearizable);
}

// The smallest illegal prefix is smallest: cut one return earlier, it is linearizable.
RC_GTEST_PROP(LinearizabilityLaws, ThePrefixBeforeTheIllegalOneIsLinearizable, ()) {
  const History h = random_history(Kind::kRegister, Register{}, 7, false);
  const CheckResult result = check(h, Register{});
  RC_CLASSIFY(!result.linearizable(), "not linearizable");
  if (result.linearizable()) return;
  std::vector<const Op*> ops;
  for (const Op& op : h)
    if (op.outcome != Outcome::kFail) ops.push_back(&op);
  std::size_t k = 0;  // the prefix's returns
  for (const Op& op : result.prefix) k += op.outcome == Outcome::kOk;
  RC_ASSERT(k >= 1u);
  if (k > 1)
    RC_ASSERT(
        testing::brute_force_linearizable(internal::cut_after_return(ops, k - 1), Register{}));
}

}  // namespace
}  // namespace lockstep::lin
