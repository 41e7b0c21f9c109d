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
// node itself, now() reads the node's clock. A crash is a power loss (see loop/node.h):
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
#include <string>
#include <string_view>
#include <vector>

#include "loop/coro.h"
#include "loop/node.h"
#include "loop/task.h"

namespace lockstep {

class Loop;
class SimDecisions;
class SimNetwork;

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

  Loop& loop() const noexcept { return *loop_; }
  SimDecisions& decisions() const noexcept { return *decisions_; }

 private:
  void boot(Node& node);
  NodeClock decide_clock(const std::string& name, NodeClock base);

  Loop* loop_;
  SimDecisions* decisions_;
  SimNetwork* network_;
  WorldOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;  // in order of add_node
  std::map<std::string, Node*, std::less<>> by_name_;
};

template <class T>
Task<T> Node::spawn(Coro<T> coro, std::string task_name) {
  Loop::NodeScope on(loop(), id_);
  return loop().create_task(std::move(coro), std::move(task_name));
}

}  // namespace lockstep
