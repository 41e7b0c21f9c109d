// Structured concurrency and blocking work: a TaskGroup whose child fails cancels its
// siblings and surfaces every error in one ExceptionGroup; blocking work goes to a
// thread with to_thread, and its completion enters the loop at a point fixed by the
// program, not by how fast the thread ran.
//
//   ./bazelw run //examples:structured
#include <cstdio>
#include <string>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

double now() { return lockstep::to_seconds(lockstep::Loop::current()->time()); }

lockstep::Coro<std::string> fetch(std::string url, lockstep::Duration latency, bool fails) {
  try {
    co_await lockstep::sleep(latency);
  } catch (const lockstep::CancelledError&) {
    std::printf("t=%.1fs  %s cancelled by its group\n", now(), url.c_str());
    throw;
  }
  if (fails) throw std::runtime_error(url + ": connection reset");
  std::printf("t=%.1fs  fetched %s\n", now(), url.c_str());
  co_return "<page " + url + ">";
}

// Blocking, CPU-bound work: runs on a worker thread, never on the loop.
unsigned long checksum(std::string text) {
  unsigned long h = 1469598103934665603ul;
  for (int round = 0; round < 200000; ++round)
    for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ul;
  return h;
}

lockstep::Coro<void> amain() {
  std::printf("-- a TaskGroup of three fetches; the 2s one fails\n");
  try {
    co_await lockstep::task_group([](lockstep::TaskGroup& g) -> lockstep::Coro<void> {
      g.create_task(fetch("a.example", 1s, false));
      g.create_task(fetch("b.example", 2s, true));
      g.create_task(fetch("c.example", 5s, false));
      co_return;
    });
  } catch (const lockstep::ExceptionGroup& eg) {
    std::printf("t=%.1fs  %s\n", now(), eg.what());
    for (const auto& e : eg.exceptions())
      std::printf("           %s\n", lockstep::describe_exception(e).c_str());
  }

  std::printf("-- to_thread: a checksum computed on a worker thread\n");
  const double before = now();
  unsigned long sum = co_await lockstep::to_thread(checksum, std::string("lockstep"));
  std::printf("t=%.1fs  checksum %lx; virtual time spent waiting: %.1fs\n", now(), sum,
              now() - before);
}

int main() { lockstep::run(amain()); }
