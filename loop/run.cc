#include "loop/run.h"

#include <memory>
#include <vector>

#include "loop/future.h"

namespace lockstep::internal {

namespace {

Coro<void> nothing_to_shut_down() { co_return; }

// Waits for every task in `tasks`, as gather(*tasks, return_exceptions=True) does: one
// done callback per task, the outer future finished by the last of them.
void wait_all(Loop& loop, const std::vector<AnyTask>& tasks) {
  Future<void> all(loop);
  auto remaining = std::make_shared<std::size_t>(tasks.size());
  for (const AnyTask& t : tasks) {
    Future<void> child(Ref<FutureBase>(t.base()));
    child.add_done_callback([all, remaining]() mutable {
      if (--*remaining == 0 && !all.done()) all.set_result();
    });
  }
  loop.run_until_complete(all);
}

}  // namespace

void shut_down(Loop& loop) noexcept {
  // The shutdown gets a budget of its own: the run may have stopped by exhausting it.
  loop.reset_budget();
  try {
    std::vector<AnyTask> to_cancel = loop.all_tasks();
    if (!to_cancel.empty()) {
      for (AnyTask& t : to_cancel) t.cancel();
      wait_all(loop, to_cancel);
      for (AnyTask& t : to_cancel) {
        if (t.cancelled()) continue;
        if (std::exception_ptr e = t.base()->exception()) {
          loop.call_exception_handler(
              {"unhandled exception during asyncio.run() shutdown", e, t.get_name(), t.id()});
        }
      }
    }
    // Runner.close() then runs shutdown_asyncgens() and shutdown_default_executor(), each a
    // task of its own: two more iterations each, which callbacks still queued get to see.
    loop.run_until_complete(nothing_to_shut_down());
    loop.run_until_complete(nothing_to_shut_down());
  } catch (...) {
    loop.call_exception_handler(
        {"error while shutting down the loop after run()", std::current_exception(), ""});
  }
}

}  // namespace lockstep::internal
