// Port of scenarios/gather_cancelled_child_stubborn_sibling.py.
#include "tests/conformance/harness.h"

namespace lockstep::conformance {
namespace {

using namespace std::chrono_literals;

Coro<void> obedient(std::string name) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message() + ", re-raises");
    throw;
  }
}

Coro<void> stubborn(std::string name) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError& e) {
    log(name + " caught CancelledError msg=" + e.message() + ", cleans up");
  }
  co_await sleep(1s);
  log(name + " returns");
}

// Python's stubborn returns its name; nothing reads it, so a void task stands in.
template <class G>
Coro<void> await_gather(std::string label, G g, Task<void> b) {
  co_await sleep(1s);
  g.cancel("halt");
  try {
    co_await g;
  } catch (const CancelledError& e) {
    log(label + ": gather raised CancelledError msg=" + e.message() +
        " stubborn done=" + py(b.done()));
  }
  co_await b;
}

Coro<void> trial(bool return_exceptions) {
  std::string label = std::string("return_exceptions=") + py(return_exceptions);
  Task<void> a = create_task(obedient("obedient"), "obedient");
  Task<void> b = create_task(stubborn("stubborn"), "stubborn");
  if (return_exceptions)
    co_await await_gather(label, lockstep::gather(lockstep::return_exceptions, a, b), b);
  else
    co_await await_gather(label, gather(a, b), b);
}

CONFORMANCE_SCENARIO(gather_cancelled_child_stubborn_sibling) {
  co_await trial(false);
  co_await trial(true);
  co_return "None";
}

}  // namespace
}  // namespace lockstep::conformance
