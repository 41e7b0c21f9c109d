// Parallel execution: three 1-second "fetches" run concurrently, so they all finish at
// t=1s, not t=3s. First with gather (results in argument order), then with as_completed
// (results in completion order).
//
//   ./bazelw run //examples:parallel
#include <cstdio>
#include <string>
#include <vector>

#include "loop/lockstep.h"

using namespace std::chrono_literals;

double now() { return lockstep::to_seconds(lockstep::Loop::current()->time()); }

lockstep::Coro<std::string> fetch(std::string url, lockstep::Duration latency) {
  std::printf("t=%.1fs  fetching %s\n", now(), url.c_str());
  co_await lockstep::sleep(latency);
  std::printf("t=%.1fs  fetched  %s\n", now(), url.c_str());
  co_return "<page " + url + ">";
}

lockstep::Coro<void> amain() {
  std::printf("-- gather: three 1s jobs\n");
  auto [a, b, c] = co_await lockstep::gather(fetch("a.example", 1s), fetch("b.example", 1s),
                                             fetch("c.example", 1s));
  std::printf("t=%.1fs  gather returned %s %s %s (argument order)\n", now(), a.c_str(), b.c_str(),
              c.c_str());

  std::printf("-- as_completed: jobs of 3s, 1s and 2s\n");
  std::vector<lockstep::Task<std::string>> tasks{
      lockstep::create_task(fetch("slow.example", 3s)),
      lockstep::create_task(fetch("fast.example", 1s)),
      lockstep::create_task(fetch("medium.example", 2s)),
  };
  auto it = lockstep::as_completed(tasks);
  for (std::size_t i = 0; i < it.size(); ++i) {
    std::string page = co_await it.next();
    std::printf("t=%.1fs  as_completed yields %s\n", now(), page.c_str());
  }
}

int main() { lockstep::run(amain()); }
