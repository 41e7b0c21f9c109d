// Output of a benchmark workload, as ../shared/bench-workloads.md defines it:
//   stdout: workload=<name> n=<N> ns_per_op=<float> peak_rss_kb=<int>
//   stderr: check impl=lockstep workload=<name> key=value ...
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace lockstep::bench {

// Wall-clock stopwatch for the timed region (a benchmark, not the loop, reads real time).
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  std::int64_t elapsed_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

inline long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

inline void check(const char* workload, const std::string& pairs) {
  std::fprintf(stderr, "check impl=lockstep workload=%s %s\n", workload, pairs.c_str());
}

inline void report(const char* workload, std::int64_t n, std::int64_t elapsed_ns) {
  std::printf("workload=%s n=%lld ns_per_op=%.2f peak_rss_kb=%ld\n", workload,
              static_cast<long long>(n), n ? static_cast<double>(elapsed_ns) / n : 0.0,
              peak_rss_kb());
}

// Runs every mode once per round, `rounds` times, and returns each mode's median: the
// modes interleave, so a slow spell of a shared machine hits them all alike.
inline std::vector<double> interleaved_medians(const std::vector<std::function<void()>>& modes,
                                               int rounds) {
  std::vector<std::vector<double>> samples(modes.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t m = 0; m < modes.size(); ++m) {
      Stopwatch w;
      modes[m]();
      samples[m].push_back(static_cast<double>(w.elapsed_ns()));
    }
  std::vector<double> medians;
  for (auto& s : samples) {
    std::sort(s.begin(), s.end());
    medians.push_back(s[s.size() / 2]);
  }
  return medians;
}

}  // namespace lockstep::bench
