// The linearizability checker's speed (issue 18 §2): time per history size for kv
// histories over many keys (10^3..10^5 operations, P-compositionality), for one register
// (no partitioning), and against the brute force (every permutation) on small histories.
//   ./bazelw run -c opt //bench:linearizability
// Histories are made by running the model at a random point of each operation's interval
// (so they are linearizable: the checker must search all the way), with 1% unknown
// outcomes; deterministic (splitmix64, seed 1). Bounded: about 10-20 s in all.
#include <cstdio>
#include <map>

#include "bench/report.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/models.h"
#include "tests/linearizability/brute_force.h"

namespace {

using namespace lockstep::lin;

struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n));
  }
};

// `n` operations by `clients` clients, one at a time each, over `keys` keys.
History make_history(int n, int clients, int keys, std::uint64_t seed) {
  SplitMix rng{seed};
  History h;
  std::vector<std::int64_t> free_at(clients, 0);
  std::vector<std::pair<std::int64_t, int>> points;
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.below(clients));
    Op op;
    op.id = i;
    op.client = c;
    op.key = "k" + std::to_string(rng.below(keys));
    const int which = static_cast<int>(rng.below(3));
    op.f = which == 0 ? "get" : which == 1 ? "put" : "cas";
    if (which == 1) op.args = {rng.below(5)};
    if (which == 2) op.args = {rng.below(5), rng.below(5)};
    op.invoke = free_at[c] + rng.below(20);
    op.ret = op.invoke + 1 + rng.below(30);
    free_at[c] = op.ret + 1;
    op.outcome = rng.below(100) == 0 ? Outcome::kInfo : Outcome::kOk;
    if (op.outcome == Outcome::kOk) {
      points.emplace_back(op.invoke + rng.below(op.ret - op.invoke + 1), i);
    } else if (rng.below(2)) {
      points.emplace_back(op.invoke + rng.below(60), i);
    }
    h.push_back(std::move(op));
  }
  std::sort(points.begin(), points.end());
  std::map<std::string, Value> state;
  KvMap model;
  for (const auto& [t, i] : points) {
    Op& op = h[i];
    Value& s = state[op.key];
    if (op.f == "get") op.result = s;
    auto next = model.step(s, op);
    if (!next) {
      op.outcome = Outcome::kFail;  // a cas that found another value
      op.result.reset();
      continue;
    }
    s = *next;
    if (op.outcome == Outcome::kInfo) op.result.reset();
  }
  for (Op& op : h)
    if (op.outcome == Outcome::kOk && op.f == "get" && !op.result) op.result = kNil;
  return h;
}

template <class M>
double seconds_to_check(const History& h, const M& m, Verdict* verdict, std::uint64_t* states) {
  lockstep::bench::Stopwatch w;
  const CheckResult r = check(h, m);
  *verdict = r.verdict;
  *states = r.states;
  return static_cast<double>(w.elapsed_ns()) / 1e9;
}

}  // namespace

int main() {
  std::printf("%-34s %9s %7s %9s %10s %11s  %s\n", "history", "ops", "keys", "seconds", "us/op",
              "states", "verdict");
  for (int n : {1000, 10000, 100000}) {
    const int keys = n / 100;
    const History h = make_history(n, 50, keys, 1);
    Verdict v;
    std::uint64_t states;
    const double s = seconds_to_check(h, KvMap{}, &v, &states);
    std::printf("%-34s %9d %7d %9.3f %10.2f %11llu  %s\n", "kv, 50 clients, ~100 ops per key", n,
                keys, s, s * 1e6 / n, static_cast<unsigned long long>(states), to_string(v));
    lockstep::bench::report("lin_kv", n, static_cast<std::int64_t>(s * 1e9));
  }
  for (int n : {1000, 10000}) {
    // One key, 20 clients: every operation in one partition, many at once.
    const History h = make_history(n, 20, 1, 3);
    Verdict v;
    std::uint64_t states;
    const double s = seconds_to_check(h, KvMap{}, &v, &states);
    std::printf("%-34s %9d %7d %9.3f %10.2f %11llu  %s\n", "one key, 20 clients", n, 1, s,
                s * 1e6 / n, static_cast<unsigned long long>(states), to_string(v));
    lockstep::bench::report("lin_one_key_20", n, static_cast<std::int64_t>(s * 1e9));
  }
  for (int n : {1000, 10000}) {
    // One key, 5 clients: every operation in one partition (no P-compositionality).
    const History h = make_history(n, 5, 1, 2);
    Verdict v;
    std::uint64_t states;
    const double s = seconds_to_check(h, KvMap{}, &v, &states);
    std::printf("%-34s %9d %7d %9.3f %10.2f %11llu  %s\n", "one key, 5 clients", n, 1, s,
                s * 1e6 / n, static_cast<unsigned long long>(states), to_string(v));
    lockstep::bench::report("lin_one_key", n, static_cast<std::int64_t>(s * 1e9));
  }
  // Against the brute force: 2000 (100 for 9) histories of n operations by n clients on one key.
  for (int n : {5, 7, 9}) {
    const std::uint64_t count = n < 9 ? 2000 : 100;
    std::vector<History> hs;
    for (std::uint64_t seed = 0; seed < count; ++seed) {
      hs.push_back(make_history(n, n, 1, 100 + seed));
      if (seed % 2)  // half of them made wrong: one get returns a value off by one
        for (Op& op : hs.back())
          if (op.f == "get" && op.outcome == Outcome::kOk) {
            op.result = Value(op.result->value_or(-1) + 1);
            break;
          }
    }
    int agree = 0;
    lockstep::bench::Stopwatch wc;
    std::vector<bool> fast;
    for (const History& h : hs) fast.push_back(check(h, KvMap{}).linearizable());
    const double checker_s = static_cast<double>(wc.elapsed_ns()) / 1e9;
    lockstep::bench::Stopwatch wb;
    for (std::size_t i = 0; i < hs.size(); ++i)
      agree += fast[i] == lockstep::lin::testing::brute_force_linearizable(hs[i], KvMap{});
    const double brute_s = static_cast<double>(wb.elapsed_ns()) / 1e9;
    int linearizable = 0;
    for (bool f : fast) linearizable += f;
    std::printf(
        "%d histories of %d ops (%d linearizable): checker %.1f us each, brute force %.1f us each "
        "(%.0fx), agree %d\n",
        static_cast<int>(count), n, linearizable, checker_s * 1e6 / count, brute_s * 1e6 / count,
        brute_s / checker_s, agree);
  }
  return 0;
}
