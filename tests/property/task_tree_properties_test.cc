// Properties of the loop over random trees of tasks with random sleeps (RapidCheck):
// virtual time never goes backwards, every task finishes exactly when the timing model
// says it must, random cancellations leave nothing pending, and two runs of the same
// program print identical logs.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep {
namespace {

using std::chrono::milliseconds;

// One task of the tree: it sleeps through `sleeps_ms` (0 = a bare yield), spawns its
// children just before sleep number `spawn_at`, and at the end awaits them all.
struct NodeSpec {
  std::vector<int> sleeps_ms;
  std::size_t spawn_at = 0;
  std::vector<std::size_t> children;
};

struct TreeSpec {
  std::vector<NodeSpec> nodes;  // nodes[0] is the root
  // (node, delay): cancel node at that virtual time after the start (in cancel runs).
  std::vector<std::pair<std::size_t, int>> cancels;
};

void showValue(const TreeSpec& t, std::ostream& os) {
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    os << "n" << i << ": sleeps";
    for (int ms : t.nodes[i].sleeps_ms) os << " " << ms;
    os << ", spawns before sleep #" << t.nodes[i].spawn_at << ":";
    for (std::size_t c : t.nodes[i].children) os << " n" << c;
    os << "\n";
  }
  for (auto [node, at] : t.cancels) os << "cancel n" << node << " at t=" << at << "ms\n";
}

rc::Gen<TreeSpec> gen_tree() {
  return rc::gen::exec([] {
    TreeSpec t;
    const auto n = *rc::gen::inRange<std::size_t>(1, 40);
    t.nodes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      t.nodes[i].sleeps_ms = *rc::gen::container<std::vector<int>>(
          *rc::gen::inRange<std::size_t>(0, 6), rc::gen::inRange(0, 50));
      t.nodes[i].spawn_at = *rc::gen::inRange<std::size_t>(0, t.nodes[i].sleeps_ms.size() + 1);
      if (i > 0) t.nodes[*rc::gen::inRange<std::size_t>(0, i)].children.push_back(i);
    }
    const auto c = n > 1 ? *rc::gen::inRange<std::size_t>(0, 4) : 0;
    for (std::size_t k = 0; k < c; ++k)
      t.cancels.emplace_back(*rc::gen::inRange<std::size_t>(1, n), *rc::gen::inRange(0, 200));
    return t;
  });
}

struct Run {
  std::vector<std::string> log;
  std::vector<TimePoint> times;  // the loop's time at each log line
  std::vector<long> done_at_ms;  // per node: when it finished normally, or -1
  std::size_t pending_after = 0;
};

class TreeRunner {
 public:
  TreeRunner(const TreeSpec& spec, Run& out) : spec_(spec), out_(out) {
    out_.done_at_ms.assign(spec.nodes.size(), -1);
    tasks_.resize(spec.nodes.size());
  }

  Coro<void> node(std::size_t i) {
    const NodeSpec& n = spec_.nodes[i];
    std::vector<Task<void>> children;
    bool cancelled = false;
    try {
      for (std::size_t k = 0; k <= n.sleeps_ms.size(); ++k) {
        if (k == n.spawn_at) {
          for (std::size_t c : n.children) {
            tasks_[c] = create_task(node(c), "n" + std::to_string(c));
            children.push_back(tasks_[c]);
          }
        }
        if (k == n.sleeps_ms.size()) break;
        co_await sleep(milliseconds(n.sleeps_ms[k]));
        note("n" + std::to_string(i) + " slept " + std::to_string(n.sleeps_ms[k]));
      }
      for (auto& c : children) {
        try {
          co_await c;
        } catch (const CancelledError&) {
          note("n" + std::to_string(i) + " saw a child cancelled");
          if (current_task().cancelling() > 0) throw;  // we were cancelled ourselves
        }
      }
    } catch (const CancelledError&) {
      cancelled = true;
    }
    if (cancelled) {
      // Structured cleanup: a cancelled node cancels its children and waits for them.
      for (auto& c : children) c.cancel();
      for (auto& c : children) {
        try {
          co_await c;
        } catch (const CancelledError&) {
        }
      }
      note("n" + std::to_string(i) + " cancelled");
      throw CancelledError("random cancel");
    }
    out_.done_at_ms[i] = now_ms();
    note("n" + std::to_string(i) + " done");
  }

  Coro<void> canceller(std::size_t target, int delay_ms) {
    co_await sleep(milliseconds(delay_ms));
    if (tasks_[target]) {
      const bool accepted = tasks_[target].cancel("random cancel");
      note("cancel n" + std::to_string(target) + (accepted ? " accepted" : " refused"));
    }
  }

  Coro<void> main(bool with_cancels) {
    std::vector<Task<void>> cancellers;
    if (with_cancels)
      for (auto [target, delay] : spec_.cancels)
        cancellers.push_back(create_task(canceller(target, delay)));
    tasks_[0] = create_task(node(0), "n0");
    try {
      co_await tasks_[0];
    } catch (const CancelledError&) {
    }
    for (auto& c : cancellers) co_await c;
    out_.pending_after = all_tasks().size() - 1;  // minus main
    tasks_.clear();
  }

 private:
  long now_ms() const {
    return std::chrono::duration_cast<milliseconds>(Loop::current()->time().time_since_epoch())
        .count();
  }
  void note(std::string what) {
    out_.times.push_back(Loop::current()->time());
    out_.log.push_back("t=" + std::to_string(now_ms()) + " " + std::move(what));
  }

  const TreeSpec& spec_;
  Run& out_;
  std::vector<Task<void>> tasks_;
};

Run run_tree(const TreeSpec& spec, bool with_cancels) {
  Run out;
  TreeRunner runner(spec, out);
  lockstep::run(runner.main(with_cancels));
  return out;
}

// The timing model: a node finishes at max(start + its sleeps, its children's finish),
// and a child starts when its parent reaches the spawn point.
long expected_finish(const TreeSpec& spec, std::size_t i, long start) {
  const NodeSpec& n = spec.nodes[i];
  long t = start, finish_children = 0;
  for (std::size_t k = 0; k <= n.sleeps_ms.size(); ++k) {
    if (k == n.spawn_at)
      for (std::size_t c : n.children)
        finish_children = std::max(finish_children, expected_finish(spec, c, t));
    if (k < n.sleeps_ms.size()) t += n.sleeps_ms[k];
  }
  return std::max(t, finish_children);
}

RC_GTEST_PROP(TaskTreeProperties, VirtualTimeNeverGoesBackwards, ()) {
  const TreeSpec spec = *gen_tree();
  const Run r = run_tree(spec, true);
  RC_ASSERT(std::is_sorted(r.times.begin(), r.times.end()));
}

RC_GTEST_PROP(TaskTreeProperties, EveryTaskFinishesWhenTheTimingModelSays, ()) {
  const TreeSpec spec = *gen_tree();
  const Run r = run_tree(spec, false);
  // Each node starts when its parent spawns it; check every node against the model.
  std::vector<long> start(spec.nodes.size(), 0);
  for (std::size_t i = 0; i < spec.nodes.size(); ++i) {
    long t = start[i];
    const NodeSpec& n = spec.nodes[i];
    for (std::size_t k = 0; k <= n.sleeps_ms.size(); ++k) {
      if (k == n.spawn_at)
        for (std::size_t c : n.children) start[c] = t;
      if (k < n.sleeps_ms.size()) t += n.sleeps_ms[k];
    }
    RC_ASSERT(r.done_at_ms[i] == expected_finish(spec, i, start[i]));
  }
  RC_ASSERT(r.pending_after == 0u);
}

RC_GTEST_PROP(TaskTreeProperties, RandomCancellationsLeaveNothingPending, ()) {
  const TreeSpec spec = *gen_tree();
  const Run r = run_tree(spec, true);
  RC_ASSERT(r.pending_after == 0u);
}

RC_GTEST_PROP(TaskTreeProperties, TwoRunsPrintIdenticalLogs, ()) {
  const TreeSpec spec = *gen_tree();
  const Run a = run_tree(spec, true);
  const Run b = run_tree(spec, true);
  RC_ASSERT(a.log == b.log);
}

}  // namespace
}  // namespace lockstep
