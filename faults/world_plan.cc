#include "faults/world_plan.h"

#include <stdexcept>

#include "faults/fault_plan.h"
#include "faults/plan_text.h"

namespace lockstep::internal {

namespace {

const char* shape_name(Latency::Shape s) {
  switch (s) {
    case Latency::Shape::kFixed:
      return "fixed";
    case Latency::Shape::kUniform:
      return "uniform";
    case Latency::Shape::kLogUniform:
      return "log_uniform";
    case Latency::Shape::kHeavyTailed:
      return "heavy_tailed";
  }
  return "?";
}

Latency latency_from_proto(const faults::LinkLatency& l, const std::string& where) {
  if (!l.has_min_ms()) throw FaultPlanError(where + ": min_ms is missing");
  const Duration min = from_ms(l.min_ms());
  const Duration max = l.has_max_ms() ? from_ms(l.max_ms()) : min;
  const std::string shape = l.has_shape() ? l.shape() : "log_uniform";
  try {
    if (shape == "fixed") {
      if (l.has_max_ms() && max != min)
        throw FaultPlanError(where + ": a fixed latency has no max_ms other than min_ms");
      return Latency::fixed(min);
    }
    if (shape == "uniform") return Latency::uniform(min, max);
    if (shape == "log_uniform") return Latency::log_uniform(min, max);
    if (shape == "heavy_tailed")
      return Latency::heavy_tailed(min, max, l.has_alpha() ? l.alpha() : 1.5);
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    if (what.rfind("lockstep: ", 0) == 0) what.erase(0, 10);
    throw FaultPlanError(where + ": " + what);
  }
  throw FaultPlanError(where + ": unknown shape '" + shape +
                       "' (\"fixed\", \"uniform\", \"log_uniform\" or \"heavy_tailed\")");
}

std::string latency_text(const WorldPlan::LinkLatency& l) {
  std::string out = " latency { from: " + quoted(l.from) + " to: " + quoted(l.to) +
                    " shape: " + quoted(shape_name(l.latency.shape())) +
                    " min_ms: " + number(to_ms(l.latency.min()));
  if (l.latency.shape() != Latency::Shape::kFixed)
    out += " max_ms: " + number(to_ms(l.latency.max()));
  if (l.latency.shape() == Latency::Shape::kHeavyTailed)
    out += " alpha: " + number(l.latency.alpha());
  return out + " }";
}

std::string names(const char* field, const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += std::string(" ") + field + ": " + quoted(s);
  return out;
}

}  // namespace

WorldPlan world_plan_from_proto(const faults::WorldPlan& p, const std::string& origin) {
  const std::string at = origin + ": world";
  WorldPlan plan;
  WorldFaults& f = plan.faults;
  if (p.has_tick_ms()) f.tick = from_ms(p.tick_ms());
  f.nodes.assign(p.nodes().begin(), p.nodes().end());
  if (p.has_crash()) f.crash = p.crash();
  if (p.has_max_down_ms()) f.max_down = from_ms(p.max_down_ms());
  if (p.has_max_down_at_once()) f.max_down_at_once = p.max_down_at_once();
  if (p.has_partition()) f.partition = p.partition();
  if (p.has_partition_one_way()) f.partition_one_way = p.partition_one_way();
  f.clients.assign(p.clients().begin(), p.clients().end());
  if (p.has_max_partition_ms()) f.max_partition = from_ms(p.max_partition_ms());
  if (p.has_partition_mode()) {
    if (p.partition_mode() == "stall")
      f.partition_mode = PartitionMode::kStall;
    else if (p.partition_mode() == "reset")
      f.partition_mode = PartitionMode::kReset;
    else
      throw FaultPlanError(at + ": unknown partition_mode '" + p.partition_mode() +
                           "' (\"stall\" or \"reset\")");
  }
  if (p.has_loss()) f.loss = p.loss();
  if (p.has_duplicate()) f.duplicate = p.duplicate();
  if (p.has_clock_step()) f.clock_step = p.clock_step();
  if (p.has_max_clock_step_ms()) f.max_clock_step = from_ms(p.max_clock_step_ms());
  plan.swarm = p.swarm();
  if (p.has_clocks())
    plan.clocks = ClockOptions{from_ms(p.clocks().max_offset_ms()), p.clocks().max_drift_ppm()};
  if (p.has_disk()) {
    const auto& d = p.disk();
    DiskFaults disk;
    if (d.has_latency_probability()) disk.latency_probability = d.latency_probability();
    if (d.has_max_latency_ms()) disk.max_latency = from_ms(d.max_latency_ms());
    if (d.has_write_error()) disk.write_error = d.write_error();
    if (d.has_fsync_error()) disk.fsync_error = d.fsync_error();
    if (d.has_no_space()) disk.no_space = d.no_space();
    if (d.has_capacity_bytes()) disk.capacity = d.capacity_bytes();
    if (d.has_read_error()) disk.read_error = d.read_error();
    plan.disk = disk;
  }
  for (int i = 0; i < p.latency_size(); ++i) {
    const auto& l = p.latency(i);
    plan.latencies.push_back({l.has_from() ? l.from() : "*", l.has_to() ? l.to() : "*",
                              latency_from_proto(l, at + ": latency #" + std::to_string(i))});
  }
  for (const auto& l : p.link())
    f.links.push_back(
        {l.has_from() ? l.from() : "*", l.has_to() ? l.to() : "*", l.loss(), l.duplicate()});
  for (int i = 0; i < p.crash_at_size(); ++i) {
    const auto& c = p.crash_at(i);
    f.crashes.push_back({c.node(), from_ms(c.at_ms()), from_ms(c.down_ms())});
  }
  for (const auto& q : p.partition_at()) {
    WorldFaults::Partition part;
    part.a.assign(q.a().begin(), q.a().end());
    part.b.assign(q.b().begin(), q.b().end());
    part.one_way = q.one_way();
    part.at = from_ms(q.at_ms());
    part.lasts = from_ms(q.lasts_ms());
    f.partitions.push_back(std::move(part));
  }
  return plan;
}

std::string world_plan_text(const WorldPlan& plan) {
  const WorldFaults& f = plan.faults;
  std::string out = "world { tick_ms: " + number(to_ms(f.tick)) + names("nodes", f.nodes) +
                    " crash: " + number(f.crash) + " max_down_ms: " + number(to_ms(f.max_down)) +
                    " max_down_at_once: " + std::to_string(f.max_down_at_once) +
                    " partition: " + number(f.partition) +
                    " partition_one_way: " + (f.partition_one_way ? "true" : "false") +
                    names("clients", f.clients) +
                    " max_partition_ms: " + number(to_ms(f.max_partition)) + " partition_mode: " +
                    (f.partition_mode == PartitionMode::kReset ? "\"reset\"" : "\"stall\"") +
                    " loss: " + number(f.loss) + " duplicate: " + number(f.duplicate) +
                    " clock_step: " + number(f.clock_step) +
                    " max_clock_step_ms: " + number(to_ms(f.max_clock_step)) +
                    " swarm: " + (plan.swarm ? "true" : "false");
  if (plan.clocks)
    out += " clocks { max_offset_ms: " + number(to_ms(plan.clocks->max_offset)) +
           " max_drift_ppm: " + std::to_string(plan.clocks->max_drift_ppm) + " }";
  if (plan.disk) {
    const DiskFaults& d = *plan.disk;
    out += " disk { latency_probability: " + number(d.latency_probability) +
           " max_latency_ms: " + number(to_ms(d.max_latency)) +
           " write_error: " + number(d.write_error) + " fsync_error: " + number(d.fsync_error) +
           " no_space: " + number(d.no_space) + " capacity_bytes: " + std::to_string(d.capacity) +
           " read_error: " + number(d.read_error) + " }";
  }
  for (const WorldPlan::LinkLatency& l : plan.latencies) out += latency_text(l);
  for (const WorldFaults::Link& l : f.links)
    out += " link { from: " + quoted(l.from) + " to: " + quoted(l.to) + " loss: " + number(l.loss) +
           " duplicate: " + number(l.duplicate) + " }";
  for (const WorldFaults::Crash& c : f.crashes)
    out += " crash_at { node: " + quoted(c.node) + " at_ms: " + number(to_ms(c.at)) +
           " down_ms: " + number(to_ms(c.down)) + " }";
  for (const WorldFaults::Partition& p : f.partitions)
    out += " partition_at {" + names("a", p.a) + names("b", p.b) +
           " one_way: " + (p.one_way ? "true" : "false") + " at_ms: " + number(to_ms(p.at)) +
           " lasts_ms: " + number(to_ms(p.lasts)) + " }";
  return out + " }\n";
}

void validate_world_plan(const WorldPlan& plan, const std::string& origin, std::string& errors) {
  const std::string at = origin + ": world: ";
  const WorldFaults& f = plan.faults;
  auto chance = [&](const std::string& what, double p) {
    if (!(p >= 0.0 && p <= 1.0))
      errors += at + what + ": probability " + number(p) + " is not in [0, 1]\n";
  };
  auto not_negative = [&](const std::string& what, Duration d) {
    if (d < Duration::zero()) errors += at + what + " is negative\n";
  };
  if (f.tick <= Duration::zero()) errors += at + "tick_ms must be positive\n";
  for (const std::string& n : f.nodes)
    if (n.empty()) errors += at + "nodes: an empty node name\n";
  for (const std::string& n : f.clients)
    if (n.empty()) errors += at + "clients: an empty host name\n";
  chance("crash", f.crash);
  chance("partition", f.partition);
  chance("loss", f.loss);
  chance("duplicate", f.duplicate);
  chance("clock_step", f.clock_step);
  not_negative("max_down_ms", f.max_down);
  not_negative("max_partition_ms", f.max_partition);
  not_negative("max_clock_step_ms", f.max_clock_step);
  if (plan.clocks) {
    not_negative("clocks: max_offset_ms", plan.clocks->max_offset);
    if (plan.clocks->max_drift_ppm < 0 || plan.clocks->max_drift_ppm >= 1'000'000)
      errors += at + "clocks: max_drift_ppm " + std::to_string(plan.clocks->max_drift_ppm) +
                " is not in [0, 999999]\n";
  }
  if (plan.disk) {
    chance("disk: latency_probability", plan.disk->latency_probability);
    chance("disk: write_error", plan.disk->write_error);
    chance("disk: fsync_error", plan.disk->fsync_error);
    chance("disk: no_space", plan.disk->no_space);
    chance("disk: read_error", plan.disk->read_error);
    not_negative("disk: max_latency_ms", plan.disk->max_latency);
  }
  for (std::size_t i = 0; i < plan.latencies.size(); ++i)
    if (plan.latencies[i].from.empty() || plan.latencies[i].to.empty())
      errors += at + "latency #" + std::to_string(i) + ": an empty host (\"*\" matches any)\n";
  for (std::size_t i = 0; i < f.links.size(); ++i) {
    const std::string where = "link #" + std::to_string(i);
    const WorldFaults::Link& l = f.links[i];
    if (l.from.empty() || l.to.empty())
      errors += at + where + ": an empty host (\"*\" matches any)\n";
    chance(where + ": loss", l.loss);
    chance(where + ": duplicate", l.duplicate);
    if (l.loss + l.duplicate > 1) errors += at + where + ": loss + duplicate is over 1\n";
  }
  for (std::size_t i = 0; i < f.crashes.size(); ++i) {
    const std::string where = "crash_at #" + std::to_string(i);
    if (f.crashes[i].node.empty()) errors += at + where + ": no node\n";
    not_negative(where + ": at_ms", f.crashes[i].at);
    not_negative(where + ": down_ms", f.crashes[i].down);
  }
  for (std::size_t i = 0; i < f.partitions.size(); ++i) {
    const std::string where = "partition_at #" + std::to_string(i);
    if (f.partitions[i].a.empty() || f.partitions[i].b.empty())
      errors += at + where + ": needs hosts on both sides (a and b)\n";
    not_negative(where + ": at_ms", f.partitions[i].at);
    not_negative(where + ": lasts_ms", f.partitions[i].lasts);
  }
}

}  // namespace lockstep::internal
