// The bug set (issue 17 §5): small distributed protocols on the simulated World, each
// with a real bug that takes a combination of faults to show, and a fixed variant.
//
//   for (const Bug& bug : all_bugs()) {
//     auto program = [&bug] { return bug.run(Variant::kBuggy, Mix::kSwarm); };
//     auto result = lockstep::simulate(program, {.seed = 7});   // fails: a Violation
//   }
//
// A run builds the world, runs the protocol under World::run_faults (the fixed mix
// `faults`, or world.swarm(faults) drawn per seed), checks liveness with World::within
// and then its safety invariant; it throws Violation (or LivenessError) when either
// fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/coro.h"
#include "loop/net/datagram.h"
#include "sim/world/world.h"

namespace lockstep::bugs {

enum class Variant : std::uint8_t { kBuggy, kFixed };
// Which faults a run draws: the bug's mix as is, or a swarm mix drawn under it as the
// ceiling, or under twice its rates (a swarm mix's rates average a quarter of its
// ceiling: each kind on half the time, at a rate uniform below the ceiling).
enum class Mix : std::uint8_t { kFixed, kSwarm, kSwarm2x };

// A protocol's safety invariant broke.
class Violation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Bug {
  std::string name;    // "raft-vote-not-persisted"
  std::string bug;     // what is wrong, in a line
  std::string needs;   // the faults it takes together
  WorldFaults faults;  // the fixed mix (and the swarm's ceiling)
  std::function<Coro<void>(Variant, Mix)> run;
};

std::vector<Bug> all_bugs();

// The protocols (one file each).
Bug raft_vote_bug();
Bug raft_stale_log_bug();
Bug quorum_fsync_bug();
Bug lease_clock_bug();
Bug transfer_retry_bug();
Bug counter_dedupe_bug();
Bug two_phase_commit_bug();
Bug primary_backup_bug();

// Helpers shared by the protocols.

// `faults` itself, or a swarm mix drawn under it.
WorldFaults pick_faults(World& world, const WorldFaults& faults, Mix mix);

// A datagram endpoint bound to host:port, `host` being the current node's name. (Not
// 0.0.0.0: the simulated network gives a wildcard-bound endpoint's datagrams the source
// "0.0.0.0:port", so replies would miss it, and connected peers would drop them.)
Coro<DatagramEndpoint> bind_udp(std::string host, std::uint16_t port);
Address at(const std::string& host, std::uint16_t port);

// Sends `request` to host:port from a fresh endpoint and waits up to `timeout` for one
// reply; nullopt if none came.
Coro<std::optional<std::string>> udp_call(std::string host, std::uint16_t port, std::string request,
                                          Duration timeout);

// One request line to host:port over a fresh connection, its reply line (without '\n');
// nullopt on any network error or after `timeout`.
Coro<std::optional<std::string>> tcp_call(std::string host, std::uint16_t port, std::string request,
                                          Duration timeout);

// Serves request lines on 0.0.0.0:port: each connection's lines answered in turn by
// handle(line) (a reply without '\n'). Runs until the node dies.
using LineHandler = std::function<Coro<std::string>(std::string)>;
Coro<void> serve_lines(std::uint16_t port, LineHandler handle);

// Splits on spaces.
std::vector<std::string> words(const std::string& line);

}  // namespace lockstep::bugs
