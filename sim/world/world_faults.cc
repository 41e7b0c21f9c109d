// The world's faults: partitions and the decided fault schedule (run_faults, swarm).
#include <algorithm>
#include <cstdio>
#include <map>

#include "loop/loop.h"
#include "loop/sleep.h"
#include "sim/decision.h"
#include "sim/net/net_state.h"
#include "sim/sim_decisions.h"
#include "sim/world/partitions.h"
#include "sim/world/world.h"

namespace lockstep {

namespace {

std::uint64_t site_named(SimDecisions& decisions, const std::string& name) {
  const std::uint64_t site = internal::link_site(name);
  decisions.name_site(site, name);
  return site;
}

// A duration in whole ms up to `max`, decided, and at least a tick (the schedule's grain).
Duration decide_ms(SimDecisions& decisions, DecisionKind kind, const std::string& site,
                   Duration tick, Duration max) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(max).count();
  const std::uint64_t v = ms > 0 ? decisions.choose_below(kind, site_named(decisions, site),
                                                          static_cast<std::uint64_t>(ms) + 1)
                                 : 0;
  return std::max<Duration>(tick, std::chrono::milliseconds(v));
}

// A rate in [0, ceiling] in whole percent of it; 0 if the kind is off for this seed.
double decide_rate(SimDecisions& decisions, DecisionKind kind, const std::string& what,
                   double ceiling) {
  if (ceiling <= 0) return 0;
  if (!decisions.choose_chance(kind, site_named(decisions, "swarm: " + what + " on"), 0.5))
    return 0;
  const std::uint64_t percent =
      decisions.choose_below(kind, site_named(decisions, "swarm: " + what + " rate (%)"), 101);
  return ceiling * static_cast<double>(percent) / 100.0;
}

}  // namespace

void World::partition(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  partition_one_way(a, b);
  partition_one_way(b, a);
}

void World::partition_one_way(const std::vector<std::string>& from,
                              const std::vector<std::string>& to) {
  for (const std::string& x : from)
    for (const std::string& y : to) network_->block(x, y);
}

void World::heal() { network_->heal(); }

std::vector<std::string> World::fault_targets(const WorldFaults& faults) const {
  if (faults.nodes.empty()) return node_names();
  for (const std::string& n : faults.nodes) (void)node(n);  // std::out_of_range if unknown
  return faults.nodes;
}

WorldFaults World::swarm(const WorldFaults& ceiling) {
  WorldFaults f = ceiling;
  f.crash = decide_rate(*decisions_, DecisionKind::kCrash, "crashes", ceiling.crash);
  f.partition = decide_rate(*decisions_, DecisionKind::kPartition, "partitions", ceiling.partition);
  f.loss = decide_rate(*decisions_, DecisionKind::kLinkFault, "message loss", ceiling.loss);
  f.duplicate =
      decide_rate(*decisions_, DecisionKind::kLinkFault, "message duplication", ceiling.duplicate);
  f.clock_step = decide_rate(*decisions_, DecisionKind::kClock, "clock steps", ceiling.clock_step);
  return f;
}

void World::heal(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  heal_pairs(a, b, true);
}

void World::heal_pairs(const std::vector<std::string>& from, const std::vector<std::string>& to,
                       bool both_ways) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& x : from)
    for (const std::string& y : to) {
      pairs.emplace_back(x, y);
      if (both_ways) pairs.emplace_back(y, x);
    }
  network_->unblock(pairs);  // one release, in the order segments were held
}

void World::check(const WorldFaults& faults) const {
  auto bad = [](const std::string& what) {
    throw std::invalid_argument("lockstep: WorldFaults: " + what);
  };
  if (faults.tick <= Duration::zero()) bad("tick must be positive");
  for (double p :
       {faults.crash, faults.partition, faults.loss, faults.duplicate, faults.clock_step})
    if (!(p >= 0 && p <= 1)) bad("a chance must be in [0, 1]");
  for (const std::string& c : faults.clients)
    if (c.empty() || by_name_.count(c)) bad("client '" + c + "' is not a host outside the world");
  for (const WorldFaults::Link& l : faults.links)
    if (l.from.empty() || l.to.empty() || !(l.loss >= 0 && l.duplicate >= 0) ||
        l.loss + l.duplicate > 1)
      bad("link " + l.from + " -> " + l.to + " needs two hosts and chances that sum to at most 1");
  for (const WorldFaults::Crash& c : faults.crashes) {
    (void)node(c.node);  // std::out_of_range naming it if unknown
    if (c.at < Duration::zero() || c.down < Duration::zero())
      bad("the crash of '" + c.node + "' has a negative time");
  }
  for (const WorldFaults::Partition& p : faults.partitions) {
    if (p.a.empty() || p.b.empty()) bad("a scheduled partition needs hosts on both sides");
    if (p.at < Duration::zero() || p.lasts < Duration::zero())
      bad("a scheduled partition has a negative time");
  }
}

WorldFaults World::planned_faults(WorldFaults otherwise) {
  if (!plan_) return otherwise;
  return plan_->swarm ? swarm(plan_->faults) : plan_->faults;
}

Coro<void> World::run_faults(Duration duration) { return run_faults(planned_faults(), duration); }

Coro<void> World::run_faults(WorldFaults faults, Duration duration) {
  check(faults);
  const std::vector<std::string> targets = fault_targets(faults);
  if (faults.loss > 0 || faults.duplicate > 0)
    network_->set_link_faults(LinkFaults{faults.loss, faults.duplicate});
  for (const WorldFaults::Link& l : faults.links)
    network_->set_link_faults(l.from, l.to, LinkFaults{l.loss, l.duplicate});
  network_->set_partition_mode(faults.partition_mode);
  std::vector<std::string> cut = targets;  // the hosts a decided partition splits
  cut.insert(cut.end(), faults.clients.begin(), faults.clients.end());
  const std::vector<PartitionShape> shapes = faults.partition > 0
                                                 ? partition_shapes(cut, faults.partition_one_way)
                                                 : std::vector<PartitionShape>{};
  const std::string shape_site = partition_site_name(cut, faults.partition_one_way);

  Loop& loop = *loop_;
  const TimePoint start = loop.global_time();
  const TimePoint end = start + duration;
  std::map<std::string, TimePoint> restart_at;  // down nodes the schedule brings back
  std::optional<TimePoint> heal_at;             // of the decided partition
  const PartitionShape* decided = nullptr;      // the decided partition on now
  // Scheduled faults, as (time, order given) -> what happens then.
  struct Scheduled {
    const WorldFaults::Crash* crash = nullptr;
    const WorldFaults::Partition* partition = nullptr;
    bool heal = false;  // the end of `partition`
  };
  std::multimap<TimePoint, Scheduled> scheduled;
  for (const WorldFaults::Crash& c : faults.crashes) scheduled.emplace(start + c.at, Scheduled{&c});
  for (const WorldFaults::Partition& p : faults.partitions) {
    scheduled.emplace(start + p.at, Scheduled{nullptr, &p});
    if (p.lasts > Duration::zero())
      scheduled.emplace(start + p.at + p.lasts, Scheduled{nullptr, &p, true});
  }
  auto run_scheduled = [&](TimePoint now) {
    while (!scheduled.empty() && scheduled.begin()->first <= now) {
      const Scheduled e = scheduled.begin()->second;
      scheduled.erase(scheduled.begin());
      if (e.crash) {
        if (!node(e.crash->node).up()) continue;
        crash(e.crash->node);
        // Down for good: restarted when the faults stop, after the loop below.
        restart_at[e.crash->node] =
            e.crash->down > Duration::zero() ? now + e.crash->down : TimePoint::max();
      } else if (e.heal) {
        heal_pairs(e.partition->a, e.partition->b, !e.partition->one_way);
      } else if (e.partition->one_way) {
        partition_one_way(e.partition->a, e.partition->b);
      } else {
        partition(e.partition->a, e.partition->b);
      }
    }
  };
  run_scheduled(start);
  // The decided faults come every tick; scheduled ones at their own times in between.
  TimePoint next_tick = start + faults.tick;
  while (loop.global_time() < end) {
    TimePoint wake = std::min(next_tick, end);
    if (!scheduled.empty()) wake = std::min(wake, scheduled.begin()->first);
    co_await sleep(wake - loop.global_time());
    const TimePoint now = loop.global_time();
    for (auto it = restart_at.begin(); it != restart_at.end();) {
      if (it->second <= now) {
        restart(it->first);
        it = restart_at.erase(it);
      } else {
        ++it;
      }
    }
    if (heal_at && *heal_at <= now) {
      heal_pairs(decided->a, decided->b, !decided->one_way);
      decided = nullptr;
      heal_at.reset();
    }
    run_scheduled(now);
    if (now >= end) break;
    if (now < next_tick) continue;  // a scheduled fault's moment, not a tick
    // On a fixed grid (start + k * tick), not `now + tick`: a late wake-up (this task's
    // own step costs) must not move every later fault, or shrinking any timing decision
    // would slide the crashes off the moments that made a run fail.
    while (next_tick <= now) next_tick += faults.tick;
    if (faults.crash > 0) {
      for (const std::string& name : targets) {
        Node& n = node(name);
        if (!n.up() || restart_at.size() >= faults.max_down_at_once) continue;
        if (!decisions_->choose_chance(DecisionKind::kCrash,
                                       site_named(*decisions_, "crash " + name), faults.crash))
          continue;
        const Duration down = decide_ms(*decisions_, DecisionKind::kCrash, name + " down for (ms)",
                                        faults.tick, faults.max_down);
        crash(name);
        restart_at[name] = now + down;
      }
    }
    if (!shapes.empty() && !heal_at) {
      const double p = faults.partition;
      const std::uint64_t n = shapes.size();
      const std::uint64_t v = decisions_->choose_drawn(
          DecisionKind::kPartition, site_named(*decisions_, shape_site), n + 1,
          [p, n](SplitMix64& rng) -> std::uint64_t {
            const double x = static_cast<double>(rng.next() >> 11) * 0x1p-53;
            return x < p ? 1 + rng.below(n) : 0;
          });
      if (v > 0) {
        decided = &shapes[v - 1];
        if (decided->one_way)
          partition_one_way(decided->a, decided->b);
        else
          partition(decided->a, decided->b);
        heal_at = now + decide_ms(*decisions_, DecisionKind::kPartition, "partition lasts (ms)",
                                  faults.tick, faults.max_partition);
      }
    }
    if (faults.clock_step > 0) {
      const auto max_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(faults.max_clock_step).count();
      for (const std::string& name : targets) {
        if (!node(name).up() || max_ms <= 0) continue;
        const double p = faults.clock_step;
        const std::uint64_t bound = signed_choice_code(-max_ms) + 2;
        const std::uint64_t v = decisions_->choose_drawn(
            DecisionKind::kClock, site_named(*decisions_, "wall clock step of " + name + " (ms)"),
            bound, [p, bound](SplitMix64& rng) -> std::uint64_t {
              const double x = static_cast<double>(rng.next() >> 11) * 0x1p-53;
              return x < p ? 1 + rng.below(bound - 1) : 0;
            });
        if (v != 0) step_wall_clock(name, std::chrono::milliseconds(signed_choice(v)));
      }
    }
  }
  // The faults stop: what follows is the liveness phase.
  if (faults.links.empty())
    network_->set_link_faults(std::nullopt);
  else
    network_->clear_link_faults();
  heal();
  for (const auto& [name, when] : restart_at) restart(name);
}

void World::throw_liveness(Duration bound, const std::string& what) const {
  char buf[160];
  std::snprintf(buf, sizeof buf, " did not complete within %gs after the faults stopped (t=%.6fs)",
                to_seconds(bound), to_seconds(loop_->global_time()));
  throw LivenessError("lockstep: liveness: " + (what.empty() ? std::string("the check") : what) +
                      buf);
}

}  // namespace lockstep
