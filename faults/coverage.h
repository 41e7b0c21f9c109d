// What a sweep of runs reached: probes, fault sites reached and fired.
//
//   lockstep::Coverage coverage;
//   lockstep::simulate_seeds(program, 0, 1000, options, [&](const auto& run) { coverage.add(run);
//   }); std::fputs(coverage.report().c_str(), stdout);
//
// A probe or fault site never reached does not appear unless named with expect_probe():
// then it is listed as never reached, the line a person is looking for.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/simulation.h"

namespace lockstep {

class Coverage {
 public:
  struct Count {
    std::uint64_t runs = 0;   // runs that reached it at least once
    std::uint64_t times = 0;  // reaches over all runs
  };
  using Table = std::map<std::string, Count, std::less<>>;

  template <class T>
  void add(const SimulationResult<T>& run) {
    ++runs_;
    merge(probes_, run.probes);
    merge(faults_reached_, run.faults_reached);
    merge(faults_fired_, run.faults_fired);
  }
  // Lists `name` in the report even if no run reaches it.
  void expect_probe(std::string name) { probes_.try_emplace(std::move(name)); }

  std::uint64_t runs() const noexcept { return runs_; }
  const Table& probes() const noexcept { return probes_; }
  const Table& faults_reached() const noexcept { return faults_reached_; }
  const Table& faults_fired() const noexcept { return faults_fired_; }

  // One line per probe and fault site:
  //   probe 'pool exhausted': reached in 12 of 100 runs (31 times)
  //   fault pool.cc:41: fired in 3 of 100 runs (4 times), reached in 100
  std::string report() const;

 private:
  static void merge(Table& into, const std::map<std::string, std::uint64_t, std::less<>>& run) {
    for (const auto& [name, times] : run) {
      Count& c = into[name];
      c.runs += times > 0;
      c.times += times;
    }
  }

  std::uint64_t runs_ = 0;
  Table probes_, faults_reached_, faults_fired_;
};

}  // namespace lockstep
