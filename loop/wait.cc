#include "loop/wait.h"

#include <memory>

namespace lockstep::internal {

Coro<void> wait_erased(std::vector<FutureBase*> fs, ReturnWhen when,
                       std::optional<Duration> timeout) {
  Loop& loop = fs.front()->loop();
  Future<void> waiter(loop);
  TimerHandle timeout_handle;
  if (timeout) {
    timeout_handle = loop.call_later(*timeout, [waiter]() mutable {
      if (!waiter.done()) waiter.set_result();  // asyncio _release_waiter
    });
  }
  // Shared, not on this frame: a callback already scheduled when the wait ends (e.g. on
  // cancellation) still runs afterwards.
  auto counter = std::make_shared<std::size_t>(fs.size());
  auto on_completion = [counter, when, waiter, timeout_handle](FutureBase& f) mutable {
    --*counter;
    if (*counter == 0 || when == FIRST_COMPLETED ||
        (when == FIRST_EXCEPTION && !f.cancelled() && f.exception())) {
      timeout_handle.cancel();
      if (!waiter.done()) waiter.set_result();
    }
  };
  std::vector<CallbackId> ids;
  ids.reserve(fs.size());
  for (FutureBase* f : fs) ids.push_back(add_done_callback(*f, on_completion));
  auto unregister = [&] {
    timeout_handle.cancel();
    for (std::size_t i = 0; i < fs.size(); ++i) fs[i]->remove_done_callback(ids[i]);
  };
  try {
    co_await waiter;
  } catch (...) {
    unregister();
    throw;
  }
  unregister();
}

}  // namespace lockstep::internal
