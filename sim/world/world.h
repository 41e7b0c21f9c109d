// The simulated world: machines (nodes) with their own names, clocks and lifetimes on one
// simulated network, crashed and restarted by the test or by decided faults.
//
//   LOCKSTEP_TEST(Register, SurvivesACrash) {
//     lockstep::World world;                        // the world of this simulated run
//     for (const char* n : {"n1", "n2", "n3"})
//       world.add_node(n, [n] { return replica(n); });   // boots: replica(n) runs on n
//     co_await lockstep::sleep(1s);
//     world.crash("n2");                            // power loss: nothing of n2 runs on
//     co_await lockstep::sleep(1s);
//     world.restart("n2");                          // replica("n2") again, over its disk
//     auto [r, w] = co_await lockstep::open_connection("n1", 7000);   // the test is a client
//     ...
//   }
//
// Code on a node uses the ordinary API (streams, datagrams, sleep, now()) and does not
// know it is simulated: its host name is the node's name, 127.0.0.1 and 0.0.0.0 mean the
// node itself, now() reads the node's clock, lockstep::file_system() is the node's own disk
// (sim/disk/sim_disk.h), which keeps what was synced across crashes. A crash is a power
// loss (see loop/node.h):
// the node's tasks end without CancelledError, no catch or destructor of theirs reaches
// the world, its sockets vanish (peers hear nothing; connecting is refused; once the node
// is back its kernel resets old connections). A restart boots a new incarnation of the
// node under the same name and runs its main again.
//
// The test's own code (outside any node) is a client on the network under the name
// "client"; it can reach every node by name.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loop/coro.h"
#include "loop/node.h"
#include "loop/task.h"
#include "loop/wait_for.h"
#include "sim/disk/sim_disk.h"
#include "sim/latency.h"
#include "sim/net/sim_network.h"

namespace lockstep {

class Loop;
class SimDecisions;
class SimNetwork;
class SimFileSystem;

// How a node's clock is set when it is added (see NodeClock). Fixed values, or bounds
// within which the simulation decides them (decision kind clock; 0 = a perfect clock).
struct ClockOptions {
  // Decided in [-max_offset, +max_offset] per node.
  Duration max_offset{};
  // Decided in [-max_drift_ppm, +max_drift_ppm] per node.
  std::int64_t max_drift_ppm = 0;
};

struct NodeOptions {
  // Set exactly, on top of what WorldOptions::clocks decides.
  NodeClock clock{};
};

struct WorldOptions {
  ClockOptions clocks{};
};

// Faults the simulation decides while World::run_faults runs, every `tick`. Each is off
// at 0; every firing is a decision whose value 0 is "no fault", so shrinking removes them.
struct WorldFaults {
  Duration tick = std::chrono::milliseconds(100);
  // The nodes faults may hit; empty: all of them.
  std::vector<std::string> nodes{};

  // Power loss: the chance per up node per tick; it stays down a decided time in
  // [tick, max_down], then boots again. Never more than max_down_at_once down together.
  double crash = 0;
  Duration max_down = std::chrono::seconds(1);
  std::size_t max_down_at_once = 1;

  // Partitions: the chance per tick (while none is on) that one starts, its shape decided
  // among the minority cuts of `nodes` (one-way ones too if partition_one_way), lasting a
  // decided time in [tick, max_partition].
  double partition = 0;
  bool partition_one_way = true;
  // Hosts outside the world (the test's own "client") that partitions may cut off as
  // well; they never crash. Empty: partitions split the nodes only.
  std::vector<std::string> clients{};
  Duration max_partition = std::chrono::seconds(1);
  PartitionMode partition_mode = PartitionMode::kStall;

  // Per message, on every link: see LinkFaults.
  double loss = 0;
  double duplicate = 0;
  // Links with faults of their own (SimNetwork::set_link_faults(from, to, ...)), instead
  // of loss and duplicate above.
  struct Link {
    std::string from, to;  // host names, "*" for any
    double loss = 0;
    double duplicate = 0;
  };
  std::vector<Link> links{};

  // A node's wall clock steps (NTP) by a decided amount in [-max_clock_step,
  // +max_clock_step]: the chance per up node per tick.
  double clock_step = 0;
  Duration max_clock_step = std::chrono::seconds(1);

  // Scheduled faults, exact (not decisions): at a time after run_faults starts.
  struct Crash {
    std::string node;
    Duration at{};
    Duration down{};  // then it boots again; 0: it stays down until the faults stop
  };
  std::vector<Crash> crashes{};
  struct Partition {
    std::vector<std::string> a, b;  // node (or host) names
    bool one_way = false;           // only what a sends to b is cut
    Duration at{};
    Duration lasts{};  // 0: until the faults stop
  };
  std::vector<Partition> partitions{};

  bool any() const noexcept {
    return crash > 0 || partition > 0 || loss > 0 || duplicate > 0 || clock_step > 0 ||
           !links.empty() || !crashes.empty() || !partitions.empty();
  }
};

// What a fault plan says about the world (faults/fault_plan.h, its `world { ... }` entry;
// LOCKSTEP_FAULTS=plan.txt in a LOCKSTEP_TEST). A World of a run with such a plan applies
// the clocks, disk faults and latencies when nodes are added, and run_faults(duration)
// runs its faults.
struct WorldPlan {
  WorldFaults faults{};
  bool swarm = false;                    // faults are the ceiling of a swarm mix (World::swarm)
  std::optional<ClockOptions> clocks{};  // replaces WorldOptions::clocks
  std::optional<DiskFaults> disk{};      // every node's disk
  struct LinkLatency {
    std::string from, to;  // host names, "*" for any
    Latency latency;
  };
  std::vector<LinkLatency> latencies{};  // SimNetwork::set_link_latency, in order
};

// Thrown by World::within when the system did not converge in time.
class LivenessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class World;

// One machine of the world. Stays valid as long as the World.
class Node {
 public:
  using Main = std::function<Coro<void>()>;

  const std::string& name() const noexcept { return name_; }
  // Its current incarnation on the loop (a new one at each restart).
  NodeId id() const noexcept { return id_; }
  bool up() const noexcept;
  // Times it was booted: 1 after add_node, +1 per restart.
  int boots() const noexcept { return boots_; }
  int crashes() const noexcept { return crashes_; }
  // Its clock (constant across restarts; wall steps accumulate).
  const NodeClock& clock() const noexcept { return clock_; }

  // Starts `coro` as a task on this node (e.g. a client process beside its main).
  template <class T>
  Task<T> spawn(Coro<T> coro, std::string task_name = {});

 private:
  friend class World;
  Node(World& world, std::string name, Main main, NodeClock clock)
      : world_(&world), name_(std::move(name)), main_(std::move(main)), clock_(clock) {}
  Loop& loop() const noexcept;

  World* world_;
  std::string name_;
  Main main_;
  NodeClock clock_;
  NodeId id_ = kNoNode;
  int boots_ = 0;
  int crashes_ = 0;
};

class World {
 public:
  // The world of the running simulation (inside LOCKSTEP_TEST or simulate()). Throws
  // std::logic_error outside one.
  explicit World(WorldOptions options = {});
  // Powers every node off: their tasks end as in a crash.
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Adds a machine named `name` (its host name on the network) and boots it: main() runs
  // on it as its task "<name>/main", and again at every restart. Throws
  // std::invalid_argument for an empty or taken name.
  Node& add_node(std::string name, Node::Main main, NodeOptions options = {});
  // The node named `name`; std::out_of_range if none.
  Node& node(std::string_view name);
  const Node& node(std::string_view name) const;
  // Names, in the order nodes were added.
  std::vector<std::string> node_names() const;

  // Power loss of `name` now (idempotent while it is down). Callable from anywhere,
  // a task of that node included (which then runs to its next suspension, and no further).
  void crash(std::string_view name);
  // Boots `name` again if it is down: a new incarnation runs main().
  void restart(std::string_view name);
  // Steps `name`'s wall clock by `jump` (an NTP step); its monotonic clock and timers
  // are unaffected.
  void step_wall_clock(std::string_view name, Duration jump);

  // Partitions by node name (hosts outside the world, such as the test's "client",
  // may be named too). Symmetric: nothing crosses between `a` and `b`.
  void partition(const std::vector<std::string>& a, const std::vector<std::string>& b);
  // One way: what `from` sends to `to` is lost (held, for streams); the reverse passes.
  void partition_one_way(const std::vector<std::string>& from, const std::vector<std::string>& to);
  // Every partition ends; held stream segments go on.
  void heal();
  // The partition between `a` and `b` ends (both directions); others stay.
  void heal(const std::vector<std::string>& a, const std::vector<std::string>& b);
  SimNetwork& network() const noexcept { return *network_; }

  // The faulty stretch: for `duration`, faults as `faults` says, each a decision; then
  // every fault stops (partitions heal, link faults end, down nodes boot again) and the
  // liveness phase begins. Await it from the test (it runs as the test's own task).
  Coro<void> run_faults(WorldFaults faults, Duration duration);
  // The same with the run's fault plan (planned_faults()): no faults without one.
  Coro<void> run_faults(Duration duration);
  // The faults the run's fault plan gives the world (drawn by swarm() if the plan says
  // swarm), or `otherwise` if the run has no plan with a world entry.
  WorldFaults planned_faults(WorldFaults otherwise = {});
  // The run's plan for the world, or null.
  const WorldPlan* plan() const noexcept { return plan_; }
  // Swarm testing (Groce et al., ISSTA 2012): a mix drawn for this seed from `ceiling`:
  // each kind of fault on or off, and each rate in [0, its ceiling], all decided, so
  // seeds differ in which faults they combine and some stretches are quiet.
  WorldFaults swarm(const WorldFaults& ceiling);
  // Liveness: `coro` must finish within `bound` (run it after run_faults); else
  // LivenessError "<what> did not complete within 5s after the faults stopped (t=...)".
  template <class T>
  Coro<T> within(Duration bound, Coro<T> coro, std::string what);

  Loop& loop() const noexcept { return *loop_; }
  SimDecisions& decisions() const noexcept { return *decisions_; }

 private:
  void boot(Node& node);
  NodeClock decide_clock(const std::string& name, NodeClock base);
  std::vector<std::string> fault_targets(const WorldFaults& faults) const;
  void check(const WorldFaults& faults) const;
  void heal_pairs(const std::vector<std::string>& from, const std::vector<std::string>& to,
                  bool both_ways);
  [[noreturn]] void throw_liveness(Duration bound, const std::string& what) const;

  Loop* loop_;
  SimDecisions* decisions_;
  SimNetwork* network_;
  SimFileSystem* file_system_;       // null if the run installed none
  const WorldPlan* plan_ = nullptr;  // the run's fault plan's, if any
  WorldOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;  // in order of add_node
  std::map<std::string, Node*, std::less<>> by_name_;
};

template <class T>
Coro<T> World::within(Duration bound, Coro<T> coro, std::string what) {
  bool timed_out = false;
  if constexpr (std::is_void_v<T>) {
    try {
      co_await wait_for(std::move(coro), bound);
      co_return;
    } catch (const TimeoutError&) {
      timed_out = true;
    }
  } else {
    std::optional<T> result;
    try {
      result.emplace(co_await wait_for(std::move(coro), bound));
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    if (result) co_return std::move(*result);
  }
  (void)timed_out;
  throw_liveness(bound, what);
}

template <class T>
Task<T> Node::spawn(Coro<T> coro, std::string task_name) {
  if (!up()) throw RuntimeError("lockstep: Node::spawn: node '" + name_ + "' is down");
  Loop::NodeScope on(loop(), id_);
  return loop().create_task(std::move(coro), std::move(task_name));
}

}  // namespace lockstep
