// Properties of Queue / LifoQueue / PriorityQueue under random cancellation (RapidCheck):
// producers and consumers with random pauses are cancelled at random instants (often
// exactly when a put() wakes a getter or a get() wakes a putter), and still no item is
// lost or duplicated: every item whose put() returned is either returned by exactly one
// get() or still in the queue, and no item whose put() was cancelled ever comes out. For
// the FIFO queue the gets also come out in exactly the order the puts went in. And no
// wakeup is lost: once everything has settled, no live consumer waits in get() while an
// item is queued, and no live producer waits in put() while there is room.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "loop/lockstep.h"

namespace lockstep {
namespace {

using std::chrono::milliseconds;

struct Actor {
  std::vector<int> pauses_ms;       // before each put (producer) / after each get (consumer)
  std::optional<int> cancel_at_ms;  // cancelled at this instant, if set...
  int cancel_after_yields = 0;      // ...this many loop iterations into it
  // Right before or right after its op-th put/get, in the same step, this actor cancels
  // consumer / producer `victim`. That is how a getter is cancelled after a put() woke it
  // but before it ran, or just before a put() whose wakeup must then skip it (and the
  // same for putters around a get()): the races asyncio's wakeup hand-over covers.
  struct Kill {
    std::size_t op;
    bool after;
    std::size_t victim;
  };
  std::vector<Kill> kills;
};

struct Spec {
  std::size_t maxsize = 0;  // 0 = unbounded
  std::vector<Actor> producers;
  std::vector<Actor> consumers;
};

void showValue(const Spec& s, std::ostream& os) {
  os << "maxsize " << s.maxsize << "\n";
  auto show = [&os](const char* kind, const std::vector<Actor>& actors) {
    for (std::size_t i = 0; i < actors.size(); ++i) {
      os << kind << i << ": pauses";
      for (int ms : actors[i].pauses_ms) os << " " << ms;
      if (actors[i].cancel_at_ms)
        os << ", cancel at " << *actors[i].cancel_at_ms << "ms + " << actors[i].cancel_after_yields
           << " iterations";
      for (const Actor::Kill& k : actors[i].kills)
        os << ", " << (k.after ? "after" : "before") << " op " << k.op << " kills #" << k.victim;
      os << "\n";
    }
  };
  show("producer", s.producers);
  show("consumer", s.consumers);
}

rc::Gen<Spec> gen_spec() {
  return rc::gen::exec([] {
    auto actor = [](std::size_t max_ops, int max_pause_ms, std::size_t victims) {
      Actor a;
      // Short pauses and cancel instants on the same few milliseconds: many ties.
      a.pauses_ms = *rc::gen::container<std::vector<int>>(
          *rc::gen::inRange<std::size_t>(1, max_ops), rc::gen::inRange(0, max_pause_ms + 1));
      if (*rc::gen::inRange(0, 3) != 0) {
        a.cancel_at_ms = *rc::gen::inRange(0, 20);
        a.cancel_after_yields = *rc::gen::inRange(0, 4);
      }
      const auto nkills = *rc::gen::inRange(0, 3);
      for (int i = 0; i < nkills; ++i)
        a.kills.push_back({*rc::gen::inRange<std::size_t>(0, max_ops), *rc::gen::arbitrary<bool>(),
                           *rc::gen::inRange<std::size_t>(0, victims)});
      return a;
    };
    Spec s;
    // Mostly small bounds, so that putters block as often as getters.
    s.maxsize = *rc::gen::weightedOneOf<std::size_t>(
        {{1, rc::gen::just<std::size_t>(0)}, {4, rc::gen::inRange<std::size_t>(1, 3)}});
    const auto np = *rc::gen::inRange<std::size_t>(1, 5);
    const auto nc = *rc::gen::inRange<std::size_t>(1, 5);
    for (std::size_t i = 0; i < np; ++i) s.producers.push_back(actor(12, 2, nc));
    for (std::size_t i = 0; i < nc; ++i) s.consumers.push_back(actor(6, 5, np));
    return s;
  });
}

struct Run {
  std::vector<int> put;   // items whose put() returned, in that order
  std::vector<int> got;   // items get() returned, in that order
  std::vector<int> left;  // what the queue still held at the end, in get order
  bool stalled = false;   // at quiescence, a live task waited though it could proceed
};

template <class Q>
Run run_spec(const Spec& spec) {
  Run r;
  Q q(spec.maxsize);  // outlives the loop's tasks
  Loop loop;
  // Per actor: inside put() / get() right now.
  std::vector<char> putting(spec.producers.size()), getting(spec.consumers.size());
  std::vector<AnyTask> producers, consumers;
  auto kill = [](const Actor& a, std::size_t op, bool after, std::vector<AnyTask>& victims) {
    for (const Actor::Kill& k : a.kills)
      if (k.op == op && k.after == after) victims[k.victim].cancel();
  };
  auto producer = [&](std::size_t p) -> Coro<void> {
    const Actor& a = spec.producers[p];
    for (std::size_t k = 0; k < a.pauses_ms.size(); ++k) {
      co_await sleep(milliseconds(a.pauses_ms[k]));
      const int item = static_cast<int>(p * 1000 + k);
      kill(a, k, false, consumers);
      putting[p] = true;
      co_await q.put(item);
      putting[p] = false;
      r.put.push_back(item);  // no suspension between put() returning and this
      kill(a, k, true, consumers);
    }
  };
  auto consumer = [&](std::size_t c) -> Coro<void> {
    const Actor& a = spec.consumers[c];
    for (std::size_t k = 0;; ++k) {
      kill(a, k, false, producers);
      getting[c] = true;
      const int item = co_await q.get();
      getting[c] = false;
      r.got.push_back(item);
      kill(a, k, true, producers);
      co_await sleep(milliseconds(a.pauses_ms[k % a.pauses_ms.size()]));
    }
  };
  auto top = [&]() -> Coro<void> {
    // A task cancels, rather than a timer callback: it runs among the woken tasks, so
    // it can land between a put() that wakes a getter and that getter's next step.
    auto canceller = [](AnyTask t, const Actor& a) -> Coro<void> {
      co_await sleep(milliseconds(*a.cancel_at_ms));
      for (int i = 0; i < a.cancel_after_yields; ++i) co_await sleep(Duration::zero());
      t.cancel();
    };
    std::vector<Task<void>> cancellers;
    auto start = [&](Coro<void> body, const Actor& a, std::vector<AnyTask>& into) {
      Task<void> t = create_task(std::move(body));
      if (a.cancel_at_ms) cancellers.push_back(create_task(canceller(t, a)));
      into.push_back(t);
    };
    for (std::size_t p = 0; p < spec.producers.size(); ++p)
      start(producer(p), spec.producers[p], producers);
    for (std::size_t c = 0; c < spec.consumers.size(); ++c)
      start(consumer(c), spec.consumers[c], consumers);
    // Long after any activity: everything has settled (consumers loop forever; a
    // producer may be blocked on a full queue nobody drains).
    co_await sleep(milliseconds(1000));
    for (std::size_t p = 0; p < producers.size(); ++p)
      if (putting[p] && !producers[p].done() && !q.full()) r.stalled = true;
    for (std::size_t c = 0; c < consumers.size(); ++c)
      if (getting[c] && !consumers[c].done() && !q.empty()) r.stalled = true;
    for (Task<void>& t : cancellers) co_await t;
    for (std::vector<AnyTask>* side : {&producers, &consumers}) {
      for (AnyTask& t : *side) {
        t.cancel();
        Outcome<void> o =
            co_await as_outcome(Future<void>(internal::Ref<internal::FutureBase>(t.base())));
        RC_ASSERT(o.ok() || o.cancelled());
      }
    }
  };
  loop.run_until_complete(top());
  while (!q.empty()) r.left.push_back(q.get_nowait());
  return r;
}

// got + left is exactly put, as multisets; and nobody stalled.
void check_conservation(const Run& r) {
  RC_ASSERT(!r.stalled);
  std::vector<int> out = r.got;
  out.insert(out.end(), r.left.begin(), r.left.end());
  std::vector<int> in = r.put;
  std::sort(out.begin(), out.end());
  std::sort(in.begin(), in.end());
  RC_ASSERT(out == in);
}

RC_GTEST_PROP(QueueProperties, NoItemLostOrDuplicatedUnderRandomCancellation, ()) {
  const Spec spec = *gen_spec();
  const Run r = run_spec<Queue<int>>(spec);
  check_conservation(r);
  // FIFO: the gets, then what is left, replay the puts in order.
  std::vector<int> out = r.got;
  out.insert(out.end(), r.left.begin(), r.left.end());
  RC_ASSERT(out == r.put);
}

RC_GTEST_PROP(QueueProperties, LifoQueueLosesNothingUnderRandomCancellation, ()) {
  check_conservation(run_spec<LifoQueue<int>>(*gen_spec()));
}

RC_GTEST_PROP(QueueProperties, PriorityQueueLosesNothingUnderRandomCancellation, ()) {
  const Run r = run_spec<PriorityQueue<int>>(*gen_spec());
  check_conservation(r);
  RC_ASSERT(std::is_sorted(r.left.begin(), r.left.end()));
}

RC_GTEST_PROP(QueueProperties, TwoRunsAreIdentical, ()) {
  const Spec spec = *gen_spec();
  const Run a = run_spec<Queue<int>>(spec);
  const Run b = run_spec<Queue<int>>(spec);
  RC_ASSERT(a.put == b.put);
  RC_ASSERT(a.got == b.got);
}

}  // namespace
}  // namespace lockstep
