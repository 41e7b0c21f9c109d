// run_in_executor / to_thread: run blocking work on another thread and await its result
// (asyncio's loop.run_in_executor and asyncio.to_thread).
//
//   // on the loop's default executor:
//   std::string text = co_await lockstep::run_in_executor(nullptr, read_file, path);
//   int n = co_await lockstep::to_thread(count_words, text);  // the same, shorter
//
// The determinism contract. fn runs on a real thread, at whatever speed; what the loop
// sees never depends on that speed:
//   - Under virtual time (VirtualDriver, and so every simulation) a job takes a decided
//     virtual duration: zero by default, DecisionSource::job_duration() under
//     simulation. When that moment comes, a timer callback waits (really blocks) until
//     the thread has finished, then completes the future. So the completion enters the
//     loop at a point fixed by the program and its decisions; jobs due at the same
//     instant complete in submission order (or in the order the decision source picks
//     for timers due together). A program whose jobs are deterministic functions, and
//     which does not share unsynchronised state with them, runs the same every time.
//   - Under real time (RealTimeDriver) a job completes when its thread finishes, as in
//     asyncio: the thread posts the completion with call_soon_threadsafe.
// Cancelling the returned future does not stop a job that has started (a thread cannot
// be interrupted); one that has not started when the cancellation reaches it is skipped.
// As in asyncio (whose future tells the concurrent one in a done callback), it reaches
// the job when the loop runs the future's done callbacks, at its next iteration: a thread
// that takes the job before then runs it. fn's exception becomes the
// future's. A job still running when the loop is blocked waiting for it for 10 s of
// real time gets a line on stderr naming it.
#pragma once

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "loop/executor.h"
#include "loop/future.h"
#include "loop/loop.h"

namespace lockstep {

namespace internal {

// The half of a job both threads share: nothing here belongs to the loop.
template <class R>
struct JobCore {
  std::packaged_task<R()> work;
  std::future<R> result;
  std::atomic<bool> cancelled{false};  // the loop's future was cancelled: skip if not started
  explicit JobCore(std::packaged_task<R()> w) : work(std::move(w)), result(work.get_future()) {}
};

// Blocks until the job's thread has finished, with a line on stderr every 10 s.
void wait_for_job(const std::shared_future<void>& done, std::uint64_t job, TimePoint submitted);

// Moves the job's outcome into `fut` (loop thread), unless `fut` was cancelled.
template <class R>
void deliver_job(JobCore<R>& core, Future<R>& fut, const std::exception_ptr& injected) {
  if (fut.done()) return;
  if (injected) {  // a failure the simulation chose: the job never ran
    fut.set_exception(injected);
    return;
  }
  try {
    if constexpr (std::is_void_v<R>) {
      core.result.get();
      fut.set_result();
    } else {
      fut.set_result(core.result.get());
    }
  } catch (...) {
    fut.set_exception(std::current_exception());
  }
}

}  // namespace internal

// Runs fn(args...) on `executor` (nullptr: the loop's default executor) and returns a
// Future of its result. Arguments are copied, as Python passes them. Needs a running loop.
template <class F, class... Args>
auto run_in_executor(Executor* executor, F fn, Args... args)
    -> Future<std::invoke_result_t<F&, Args&...>> {
  using R = std::invoke_result_t<F&, Args&...>;
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: run_in_executor() needs a running loop");
  if (!executor) executor = &loop->default_executor();

  auto core = std::make_shared<internal::JobCore<R>>(std::packaged_task<R()>(
      [fn = std::move(fn), tuple = std::make_tuple(std::move(args)...)]() mutable -> R {
        return std::apply(fn, tuple);
      }));
  // A job whose thread finished (or was skipped) completes `finished`; a skipped job's
  // packaged_task is destroyed unrun, which gives its result future a broken_promise.
  auto finished = std::make_shared<std::promise<void>>();
  std::shared_future<void> finished_future = finished->get_future().share();
  Future<R> fut(*loop);
  const std::uint64_t job = loop->next_job_id();
  const bool virtual_time = loop->driver().is_virtual();
  const std::exception_ptr injected = loop->job_error(job);
  if (injected) core->cancelled.store(true, std::memory_order_release);  // skip the work

  std::function<void()> post;  // real time: what the thread does when done
  if (!virtual_time) {
    loop->await_job_post(
        job, [core, fut, injected]() mutable { internal::deliver_job(*core, fut, injected); });
    post = [loop, job] {
      try {
        loop->call_soon_threadsafe([loop, job] { loop->on_job_posted(job); });
      } catch (const std::logic_error&) {
        // The loop closed meanwhile: nobody is left to tell.
      }
    };
  }
  executor->submit([core, finished, post = std::move(post)] {
    if (!core->cancelled.load(std::memory_order_acquire)) core->work();
    core->work = std::packaged_task<R()>();  // a skipped job: broken_promise
    finished->set_value();
    if (post) post();
  });

  if (virtual_time) {
    // The completion enters the loop at a decided virtual moment, never when the thread
    // happens to finish.
    const TimePoint submitted = loop->time();
    loop->call_at(submitted + loop->job_duration(job),
                  [core, fut, finished_future, job, submitted, injected]() mutable {
                    if (fut.done()) return;  // cancelled: nothing to wait for
                    internal::wait_for_job(finished_future, job, submitted);
                    internal::deliver_job(*core, fut, injected);
                  });
  }
  fut.add_done_callback([core](Future<R>& f) {
    if (f.cancelled()) core->cancelled.store(true, std::memory_order_release);
  });
  return fut;
}

// asyncio.to_thread: run_in_executor on the default executor.
template <class F, class... Args>
[[nodiscard]] auto to_thread(F fn, Args... args) {
  return run_in_executor(nullptr, std::move(fn), std::move(args)...);
}

}  // namespace lockstep
