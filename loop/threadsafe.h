// run_coroutine_threadsafe: submit a coroutine to a loop from another thread
// (asyncio.run_coroutine_threadsafe).
//
//   // on some other thread, while `loop` runs (and holds a keep_alive() for us):
//   std::future<int> f = lockstep::run_coroutine_threadsafe(compute(), loop);
//   int v = f.get();                             // blocks this thread, not the loop
//
// The coroutine runs as a task of `loop`; the std::future receives its result, its
// exception, or CancelledError if the task was cancelled. If the loop closes before the
// task is started, the future holds std::future_error (broken_promise): a waiting thread
// never hangs on a dead loop. Throws std::logic_error if the loop is closed already.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>

#include "loop/coro.h"
#include "loop/loop.h"
#include "loop/task.h"

namespace lockstep {

template <class T>
std::future<T> run_coroutine_threadsafe(Coro<T> coro, Loop& loop, std::string name = {}) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> result = promise->get_future();
  // Coro is move-only and so is the call that carries it; both are destroyed on the
  // loop's thread unless the post is refused.
  struct Start {
    std::shared_ptr<std::promise<T>> promise;
    Coro<T> coro;
    std::string name;
    Loop* loop;
    void operator()() {
      Task<T> task = loop->create_task(std::move(coro), std::move(name));
      task.add_done_callback([promise = promise](Future<T>& done) {
        try {
          if constexpr (std::is_void_v<T>) {
            done.result();
            promise->set_value();
          } else {
            promise->set_value(done.result());
          }
        } catch (...) {
          promise->set_exception(std::current_exception());
        }
      });
    }
  };
  loop.call_soon_threadsafe(Start{promise, std::move(coro), std::move(name), &loop});
  return result;
}

}  // namespace lockstep
