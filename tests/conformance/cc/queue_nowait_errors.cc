// Port of scenarios/queue_nowait_errors.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> ticker() {
  for (int i = 0; i < 2; ++i) {
    log("tick " + std::to_string(i));
    co_await sleep(0s);
  }
}

CONFORMANCE_SCENARIO(queue_nowait_errors) {
  Queue<int> q(2);
  try {
    q.get_nowait();
  } catch (const QueueEmpty& e) {
    log("get_nowait raised " + python_type(std::current_exception()) + ": " + e.what());
  }
  q.put_nowait(1);
  q.put_nowait(2);
  try {
    q.put_nowait(3);
  } catch (const QueueFull& e) {
    log("put_nowait raised " + python_type(std::current_exception()) + ": " + e.what() +
        " qsize=" + std::to_string(q.qsize()));
  }
  Task<void> t = create_task(ticker(), "ticker");
  co_await sleep(0s);
  const int got = co_await q.get();
  log("got " + std::to_string(got) + " then put");
  co_await q.put(4);
  log("no yield qsize=" + std::to_string(q.qsize()) + " full=" + py(q.full()));
  co_await t;
  Queue<int> big;
  for (int i = 0; i < 1000; ++i) big.put_nowait(i);
  log("unbounded qsize=" + std::to_string(big.qsize()) + " full=" + py(big.full()) +
      " maxsize=" + std::to_string(big.maxsize()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
