// Port of scenarios/timeout_reschedule_from_other_task.py. asyncio's RuntimeError is a
// std::logic_error here.
#include <cstdio>
#include <memory>

#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

// Python's str() of a float deadline, or None.
std::string pyfloat(std::optional<TimePoint> t) {
  if (!t) return "None";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, to_seconds(*t));
    if (std::strtod(buf, nullptr) == to_seconds(*t)) break;
  }
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

using Box = std::vector<std::shared_ptr<Timeout>>;

Coro<void> sleep_coro(Duration d) { co_await sleep(d); }

Coro<void> worker(Box* box, Duration duration) {
  // asyncio.timeout(1), kept where main can reach it.
  auto cm = std::make_shared<Timeout>(Loop::current()->time() + 1s);
  box->push_back(cm);
  try {
    co_await cm->run(sleep_coro(duration));
    log("worker finished in time, when=" + pyfloat(cm->when()));
  } catch (const TimeoutError&) {
    log("worker: TimeoutError");
  }
}

CONFORMANCE_SCENARIO(timeout_reschedule_from_other_task) {
  Loop& loop = *Loop::current();
  Box box;
  Task<void> w = create_task(worker(&box, 2s), "worker");
  co_await sleep(500ms);
  box[0]->reschedule(loop.time() + 2s);
  log("main moved the worker's deadline");
  co_await w;

  box.clear();
  w = create_task(worker(&box, 5s), "worker2");
  co_await sleep(0s);
  loop.call_at(loop.time() + 1s, [&box] {
    try {
      box[0]->reschedule(std::nullopt);
    } catch (const std::logic_error& e) {
      log(std::string("late reschedule: RuntimeError ") + python_message(e));
    }
  });
  co_await w;
  try {
    box[0]->reschedule(std::nullopt);
  } catch (const std::logic_error& e) {
    log(std::string("after exit: RuntimeError ") + python_message(e));
  }
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
