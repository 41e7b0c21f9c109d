#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "loop/escape.h"
#include "loop/executor.h"
#include "loop/loop.h"

namespace lockstep {

namespace {
std::size_t default_max_workers() {
  const std::size_t hw = std::max(1u, std::thread::hardware_concurrency());
  return std::min<std::size_t>(32, hw + 4);
}
}  // namespace

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers)
    : max_workers_(max_workers ? max_workers : default_max_workers()) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

void ThreadPoolExecutor::submit(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) throw RuntimeError("lockstep: cannot schedule new futures after shutdown");
  queue_.push_back(std::move(work));
  // As concurrent.futures: start a thread only when none is idle, up to the maximum.
  if (idle_ == 0 && threads_.size() < max_workers_) {
    // lockstep's own executor: its threads are not an escape from a simulation (the loop
    // waits for a job only when its decided completion is due).
    AllowEscapes allow("run_in_executor's pool");
    threads_.emplace_back([this] { worker_main(); });
  } else {
    work_cv_.notify_one();
  }
}

void ThreadPoolExecutor::shutdown(bool wait) {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    if (wait) threads = std::move(threads_);
  }
  work_cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

void ThreadPoolExecutor::worker_main() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (shutting_down_) return;
      ++idle_;
      work_cv_.wait(lock, [this] { return !queue_.empty() || shutting_down_; });
      --idle_;
      continue;
    }
    std::function<void()> work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      work();
    } catch (...) {
      // Jobs made by run_in_executor capture their own exceptions; anything else has
      // nobody to report to but stderr.
      std::fprintf(stderr, "lockstep: exception escaped an executor job: %s\n",
                   describe_exception(std::current_exception()).c_str());
    }
    work = nullptr;  // destroy what it captured before waiting again
    lock.lock();
  }
}

}  // namespace lockstep
