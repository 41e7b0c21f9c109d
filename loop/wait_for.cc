#include "loop/wait_for.h"

namespace lockstep::internal {

Coro<void> cancel_and_wait(FutureBase& fut) {
  Future<void> waiter(fut.loop());
  Future<void> target{Ref<FutureBase>(&fut)};
  // The callback only needs the future to be done; Future<void>'s view of `fut` is never
  // asked for a value.
  CallbackId cb = target.add_done_callback([waiter]() mutable {
    if (!waiter.done()) waiter.set_result();  // asyncio _release_waiter
  });
  fut.cancel(std::nullopt);
  try {
    co_await waiter;
  } catch (...) {
    target.remove_done_callback(cb);
    throw;
  }
  target.remove_done_callback(cb);
}

}  // namespace lockstep::internal
