// The kv store as three nodes of a simulated World (sim/world/world.h), under crashes,
// partitions, message loss and the disks' crash faults, with three clients whose history
// is checked for linearizability (sim/linearizability) at the end.
//
//   auto run = lockstep::simulate([] { return kv::simulated_cluster({}); }, options);
//
// The run fails with NotLinearizable (the checker's explanation) when the clients saw
// something no sequential map could give, with TwoLeaders when two nodes won one term,
// and with LivenessError when, after the faults, a put and a get do not get through
// within 3s.
#pragma once

#include <stdexcept>
#include <string>

#include "examples/kv/bugs.h"
#include "loop/lockstep.h"
#include "sim/linearizability/history.h"
#include "sim/world/world.h"

namespace kv {

// The clients' history, which no sequential map explains. what() names the key; explain()
// runs the checker again for the full account (the smallest illegal prefix, the
// operations involved): the sweep and the shrinker only need the verdict.
class NotLinearizable : public std::runtime_error {
 public:
  NotLinearizable(const std::string& what, lockstep::lin::History history)
      : std::runtime_error(what), history_(std::move(history)) {}
  const lockstep::lin::History& history() const noexcept { return history_; }
  std::string explain() const;

 private:
  lockstep::lin::History history_;
};

// Two nodes won an election in the same term (Raft's election safety): what a vote
// forgotten in a crash leads to, whether or not the clients saw it yet.
class TwoLeaders : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// For ShrinkOptions::same_failure: a candidate fails the same way if it raises the same
// kind of error (any history the checker rejects, whichever key shows it).
bool same_failure(const std::string& original, const std::string& candidate);

// The faults of the faulty stretch (4s): crashes (two nodes may be down at once),
// partitions, lost messages.
lockstep::WorldFaults default_faults();

// A mix aimed at elections: short crashes and partitions, often (a quarter of the ticks
// each), so leaders change many times a run and voters go down between votes. What finds
// a vote that is not persisted (about one seed in a hundred; default_faults(): one in
// several thousand).
lockstep::WorldFaults election_faults();

lockstep::Coro<void> simulated_cluster(Bugs bugs, lockstep::WorldFaults faults = default_faults());

}  // namespace kv
