// Executors: where run_in_executor's blocking work runs (concurrent.futures' executors).
//
//   lockstep::ThreadPoolExecutor pool(4);                  // or the loop's default one
//   int n = co_await lockstep::run_in_executor(&pool, count_lines, path);
//
// An Executor runs plain functions on other threads. The loop never waits on one except
// at the moment a job's completion is due (see run_in_executor.h), so the loop's own
// order of events never depends on how fast a thread ran.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lockstep {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `work` on some thread, soon. Thread-safe. Throws std::logic_error once shut
  // down ("cannot schedule new futures after shutdown").
  virtual void submit(std::function<void()> work) = 0;
  // Accepts no more work. Jobs already submitted still run; with `wait`, returns once
  // they all have. Idempotent.
  virtual void shutdown(bool wait = true) = 0;
};

// A pool of up to max_workers threads, started on demand (ThreadPoolExecutor).
class ThreadPoolExecutor final : public Executor {
 public:
  // max_workers 0: Python's default, min(32, hardware threads + 4).
  explicit ThreadPoolExecutor(std::size_t max_workers = 0);
  // Shuts down and joins every thread.
  ~ThreadPoolExecutor() override;
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  void submit(std::function<void()> work) override;
  void shutdown(bool wait = true) override;
  std::size_t max_workers() const noexcept { return max_workers_; }

 private:
  void worker_main();

  const std::size_t max_workers_;
  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutting_down_ = false;
};

}  // namespace lockstep
