// as_completed(futures, timeout): results in the order the futures complete
// (asyncio.as_completed).
//
//   auto it = lockstep::as_completed(tasks, 10s);
//   for (std::size_t i = 0; i < it.size(); ++i) {
//     int v = co_await it.next();   // the next to finish; its error is raised here
//   }
//
// Each next() yields the result of the next future to complete (raising its exception
// if it failed); once the timeout passes, every remaining next() raises TimeoutError.
// As in asyncio, completions queue up in a FIFO, so results are never lost.
//
// Coroutines are accepted too, as asyncio accepts any awaitable: each becomes a task
// (in argument order) when iteration begins.
//
//   auto it = lockstep::as_completed(std::vector<lockstep::Coro<int>>{fetch(1), fetch(2)});
//
// As CPython 3.11's as_completed (a generator, whose body only runs when iteration
// begins), building the object starts nothing: the inputs are watched, coroutines become
// tasks and the timeout starts at the first call of next(). (CPython 3.13 made it start at
// the call.)
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/distinct.h"
#include "loop/task.h"

namespace lockstep {

template <class T>
class AsCompleted {
 public:
  AsCompleted(std::vector<Future<T>> fs, std::optional<Duration> timeout);
  AsCompleted(std::vector<Coro<T>> coros, std::optional<Duration> timeout);
  AsCompleted(AsCompleted&&) = default;
  ~AsCompleted() {
    if (state_) state_->timeout_handle.cancel();
  }

  // How many results next() will yield (distinct futures).
  std::size_t size() const noexcept { return state_->total; }
  // The next result in completion order. TimeoutError once the timeout passed. The
  // first call starts watching the inputs and the timeout.
  [[nodiscard]] Coro<T> next() {
    if (!started_) start();  // the first call
    return next_of(state_);
  }

 private:
  struct State {
    std::size_t remaining = 0;  // not yet completed (0 after the timeout)
    bool timed_out = false;
    std::deque<std::optional<Future<T>>> done;  // completed; nullopt = timed out
    std::optional<Future<void>> getter;         // the next() waiting for `done`
    TimerHandle timeout_handle;
    std::size_t total = 0;
  };
  // asyncio's generator body, up to its first yield: adds the done callbacks (one on a
  // future already done is scheduled at once) and starts the timer.
  void start();
  static Coro<T> next_of(std::shared_ptr<State> s);
  static void push(State& s, std::optional<Future<T>> item) {
    s.done.push_back(std::move(item));
    if (s.getter && !s.getter->done()) s.getter->set_result();  // asyncio Queue wakeup
  }
  std::shared_ptr<State> state_;
  std::vector<Future<T>> todo_;  // distinct inputs until start() takes them
  std::vector<Coro<T>> coros_;   // coroutine inputs, made tasks by start()
  std::optional<Duration> timeout_;
  bool started_ = false;  // next() was called
};

template <class T>
AsCompleted<T>::AsCompleted(std::vector<Future<T>> fs, std::optional<Duration> timeout)
    : state_(std::make_shared<State>()), todo_(internal::distinct(fs)), timeout_(timeout) {
  state_->total = state_->remaining = todo_.size();  // asyncio: set(fs)
}

template <class T>
AsCompleted<T>::AsCompleted(std::vector<Coro<T>> coros, std::optional<Duration> timeout)
    : state_(std::make_shared<State>()), coros_(std::move(coros)), timeout_(timeout) {
  state_->total = state_->remaining = coros_.size();
}

template <class T>
void AsCompleted<T>::start() {
  started_ = true;
  for (Coro<T>& c : coros_) todo_.push_back(create_task(std::move(c)));  // ensure_future
  coros_.clear();
  std::vector<Future<T>> todo = std::move(todo_);
  todo_.clear();
  const std::optional<Duration> timeout = timeout_;
  std::weak_ptr<State> weak = state_;
  for (auto& f : todo) {
    f.add_done_callback([weak](Future<T>& done) {
      auto s = weak.lock();
      if (!s || s->timed_out) return;  // the timeout was first
      push(*s, done);
      if (--s->remaining == 0) s->timeout_handle.cancel();
    });
  }
  if (!todo.empty() && timeout) {
    state_->timeout_handle = todo.front().get_loop().call_later(*timeout, [weak] {
      auto s = weak.lock();
      if (!s) return;
      // asyncio: one dummy per future still pending; each raises TimeoutError in next().
      for (; s->remaining > 0; --s->remaining) push(*s, std::nullopt);
      s->timed_out = true;
    });
  }
}

template <class T>
Coro<T> AsCompleted<T>::next_of(std::shared_ptr<State> s) {
  while (s->done.empty()) {  // asyncio Queue.get: wait for a put
    s->getter.emplace(Future<void>());
    co_await *s->getter;
  }
  std::optional<Future<T>> f = std::move(s->done.front());
  s->done.pop_front();
  if (!f) throw TimeoutError();
  co_return f->result();
}

template <class T>
AsCompleted<T> as_completed(std::vector<Future<T>> fs,
                            std::optional<Duration> timeout = std::nullopt) {
  return AsCompleted<T>(std::move(fs), timeout);
}
template <class T>
AsCompleted<T> as_completed(std::vector<Coro<T>> coros,
                            std::optional<Duration> timeout = std::nullopt) {
  return AsCompleted<T>(std::move(coros), timeout);
}
template <class T>
AsCompleted<T> as_completed(const std::vector<Task<T>>& tasks,
                            std::optional<Duration> timeout = std::nullopt) {
  return AsCompleted<T>(std::vector<Future<T>>(tasks.begin(), tasks.end()), timeout);
}

}  // namespace lockstep
