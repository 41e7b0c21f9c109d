#include "sim/world/world.h"

#include <stdexcept>

#include "loop/errors.h"
#include "loop/loop.h"
#include "sim/decision.h"
#include "sim/disk/sim_file_system.h"
#include "sim/net/net_state.h"
#include "sim/net/sim_network.h"
#include "sim/random.h"
#include "sim/sim_decisions.h"

namespace lockstep {

namespace {

// A world decision site: named for people, hashed as links are.
std::uint64_t world_site(SimDecisions& decisions, const std::string& name) {
  const std::uint64_t site = internal::link_site(name);
  decisions.name_site(site, name);
  return site;
}

// A signed value in [-max, +max] decided at `site` (0 unless the simulation perturbs it).
std::int64_t decide_signed(SimDecisions& decisions, const std::string& site, std::int64_t max) {
  if (max <= 0) return 0;
  const std::uint64_t bound = signed_choice_code(-max) + 2;  // every code up to +max
  return signed_choice(
      decisions.choose_below(DecisionKind::kClock, world_site(decisions, site), bound));
}

}  // namespace

Loop& Node::loop() const noexcept { return world_->loop(); }

bool Node::up() const noexcept { return id_ != kNoNode && loop().node_alive(id_); }

World::World(WorldOptions options) : options_(options) {
  loop_ = Loop::current();
  decisions_ = internal::current_simulation();
  if (!loop_ || !decisions_)
    throw std::logic_error(
        "lockstep: a World needs a simulated run (inside LOCKSTEP_TEST, simulate() or replay())");
  network_ = dynamic_cast<SimNetwork*>(loop_->network());
  if (!network_)
    throw std::logic_error("lockstep: a World needs the simulated network simulate() installs");
  // Each node has a disk of its own, named as the node: it outlives the node's crashes.
  if (FaultInjector* faults = decisions_->faults()) plan_ = faults->world_plan();
  if (plan_) {
    if (plan_->clocks) options_.clocks = *plan_->clocks;
    for (const WorldPlan::LinkLatency& l : plan_->latencies)
      network_->set_link_latency(l.from, l.to, l.latency);
  }
  file_system_ = dynamic_cast<SimFileSystem*>(loop_->file_system());
  if (file_system_) {
    Loop* loop = loop_;
    file_system_->set_disk_resolver([loop] {
      const NodeId node = loop->current_node();
      return node == kNoNode ? std::string() : loop->node_name(node);
    });
  }
}

World::~World() {
  for (auto& node : nodes_)
    if (node->up()) loop_->kill_node(node->id_);
}

Node& World::add_node(std::string name, Node::Main main, NodeOptions options) {
  if (name.empty()) throw std::invalid_argument("lockstep: World::add_node: a node needs a name");
  if (by_name_.count(name))
    throw std::invalid_argument("lockstep: World::add_node: there is already a node named '" +
                                name + "'");
  if (!main)
    throw std::invalid_argument("lockstep: World::add_node: node '" + name + "' has no main");
  NodeClock clock = decide_clock(name, options.clock);
  nodes_.push_back(std::unique_ptr<Node>(new Node(*this, name, std::move(main), clock)));
  Node& node = *nodes_.back();
  by_name_.emplace(std::move(name), &node);
  if (plan_ && plan_->disk && file_system_) file_system_->disk(node.name_).set_faults(*plan_->disk);
  boot(node);
  return node;
}

NodeClock World::decide_clock(const std::string& name, NodeClock clock) {
  const auto max_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.clocks.max_offset);
  clock.offset += std::chrono::microseconds(
      decide_signed(*decisions_, "clock offset of " + name + " (us)", max_us.count()));
  clock.drift_ppm += decide_signed(*decisions_, "clock drift of " + name + " (ppm)",
                                   options_.clocks.max_drift_ppm);
  if (clock.drift_ppm <= -1'000'000) clock.drift_ppm = -999'999;
  return clock;
}

void World::boot(Node& node) {
  node.id_ = loop_->add_node(node.name_, node.clock_);
  ++node.boots_;
  network_->attach_node(node.id_, node.name_);
  Loop::NodeScope on(*loop_, node.id_);
  Task<void> main = loop_->create_task(node.main_(), node.name_ + "/main");
  // Its end (or failure) is the node's business: an exception nobody retrieves fails the
  // run as any task's would.
  (void)main;
}

Node& World::node(std::string_view name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end())
    throw std::out_of_range("lockstep: the world has no node named '" + std::string(name) + "'");
  return *it->second;
}

const Node& World::node(std::string_view name) const {
  return const_cast<World*>(this)->node(name);
}

std::vector<std::string> World::node_names() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->name_);
  return out;
}

void World::crash(std::string_view name) {
  Node& n = node(name);
  if (!n.up()) return;
  ++n.crashes_;
  // The disk first: what it had not synced is decided now, and what was in flight fails,
  // unseen, as the node's frames go.
  if (file_system_) file_system_->disk(n.name_).crash();
  loop_->kill_node(n.id_);
}

void World::restart(std::string_view name) {
  Node& n = node(name);
  if (n.up()) return;
  boot(n);
}

void World::step_wall_clock(std::string_view name, Duration jump) {
  Node& n = node(name);
  n.clock_.wall_offset += jump;
  if (n.up()) loop_->set_node_clock(n.id_, n.clock_);
}

}  // namespace lockstep
