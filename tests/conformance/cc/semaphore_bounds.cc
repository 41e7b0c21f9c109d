// Port of scenarios/semaphore_bounds.py. asyncio's ValueError is std::invalid_argument
// for a bad initial value and OverReleaseError for an over-release.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

CONFORMANCE_SCENARIO(semaphore_bounds) {
  try {
    Semaphore bad(-1);
  } catch (const std::invalid_argument& e) {
    log(std::string("Semaphore(-1) raised ValueError: ") + e.what());
  }
  Semaphore sem(1);
  sem.release();
  sem.release();
  for (int i = 0; i < 3; ++i) {
    co_await sem.acquire();
    log("acquire " + std::to_string(i) + " locked=" + py(sem.locked()));
  }
  BoundedSemaphore bounded(2);
  {
    LockGuard<Semaphore> outer = co_await bounded.lock();
    log("inside async with locked=" + py(bounded.locked()));
    {
      LockGuard<Semaphore> inner = co_await bounded.lock();
      log("nested locked=" + py(bounded.locked()));
    }
  }
  try {
    bounded.release();
  } catch (const OverReleaseError& e) {
    log(std::string("over-release raised ValueError: ") + e.what());
  }
  co_await bounded.acquire();
  co_await bounded.acquire();
  log("two acquires locked=" + py(bounded.locked()));
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
