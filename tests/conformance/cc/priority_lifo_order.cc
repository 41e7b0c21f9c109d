// Port of scenarios/priority_lifo_order.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

template <class Q>
Coro<void> getter(Q& q, std::string name) {
  const int item = co_await q.get();
  log(name + " got " + std::to_string(item));
}

template <class Q>
Coro<void> exercise(std::string kind) {
  Q q;
  Task<void> g = create_task(getter(q, kind + " getter"), "getter");
  co_await sleep(0s);
  q.put_nowait(5);
  q.put_nowait(1);
  q.put_nowait(3);
  log(kind + " put 5 1 3");
  co_await g;
  for (int x : {4, 2, 6}) co_await q.put(x);
  std::string rest;
  for (std::size_t n = q.qsize(); n > 0; --n)
    rest += (rest.empty() ? "" : ", ") + std::to_string(q.get_nowait());
  log(kind + " rest: [" + rest + "]");
}

CONFORMANCE_SCENARIO(priority_lifo_order) {
  co_await exercise<PriorityQueue<int>>("PriorityQueue");
  co_await exercise<LifoQueue<int>>("LifoQueue");
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
