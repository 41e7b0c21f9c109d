#include "sim/shrink.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>

#include "sim/world/partitions.h"

namespace lockstep {

std::size_t count_non_default(const std::vector<Decision>& decisions) noexcept {
  std::size_t n = 0;
  for (const Decision& d : decisions) n += d.value != 0;
  return n;
}

namespace internal {

namespace {

constexpr std::string_view kAtAnAwait = " at an await of ";  // in kInjected events

// "750ns", "208.768us", "9.709ms", "1.5s".
std::string milliseconds(std::uint64_t ns) {
  char buf[32];
  if (ns < 1000)
    std::snprintf(buf, sizeof buf, "%lluns", static_cast<unsigned long long>(ns));
  else if (ns < 1000000)
    std::snprintf(buf, sizeof buf, "%.3gus", static_cast<double>(ns) / 1e3);
  else if (ns < 1000000000)
    std::snprintf(buf, sizeof buf, "%.4gms", static_cast<double>(ns) / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.4gs", static_cast<double>(ns) / 1e9);
  return buf;
}

std::string at(TimePoint t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t=%.6fs", to_seconds(t));
  return buf;
}

// Durations and draws that differ only in task, time and value: one line each kind
// (and for draws, each call site and range), in the place of the first one.
using GroupKey = std::tuple<DecisionKind, std::uint64_t, std::uint64_t>;  // kind, site, bound

std::optional<GroupKey> group_key(const Decision& d) {
  switch (d.kind) {
    case DecisionKind::kStepCost:
    case DecisionKind::kTimerDelay:
    case DecisionKind::kJobDuration:
      return GroupKey{d.kind, 0, 0};
    case DecisionKind::kRandom:
      return GroupKey{d.kind, d.site, d.bound};
    case DecisionKind::kNetDelay:     // per link
    case DecisionKind::kDiskLatency:  // per disk, operation and file
      return GroupKey{d.kind, d.site, 0};
    default:
      return std::nullopt;
  }
}

constexpr std::size_t kNoGroup = ~std::size_t{0};

struct DecisionGroup {
  DecisionKind kind;
  std::uint64_t site;
  std::uint64_t bound;
  std::vector<Decision> members;

  void add(const Decision& d) { members.push_back(d); }

  // One member: as it always read. More: "3 steps took 1.2ms-4ms in 'a', 'b' and 'c'
  // (t=0.1s-0.3s)".
  template <class TaskName, class SiteName>
  std::string describe(const TaskName& task, const SiteName& site_name) const {
    const Decision& d = members.front();
    if (members.size() == 1) {
      switch (kind) {
        case DecisionKind::kStepCost:
          return "a step of " + task(d.site) + " took " + milliseconds(d.value) + " (" +
                 at(d.time) + ")";
        case DecisionKind::kTimerDelay:
          return "a " + milliseconds(d.value) + " delay on a timer armed by " + task(d.task) +
                 " (" + at(d.time) + ")";
        case DecisionKind::kJobDuration:
          return "executor job #" + std::to_string(d.site) + " took " + milliseconds(d.value) +
                 " (" + at(d.time) + ")";
        case DecisionKind::kNetDelay:
          return "a message on " + site_name(d.site) + " arrived " + milliseconds(d.value) +
                 " late (sent at " + at(d.time) + " by " + task(d.task) + ")";
        case DecisionKind::kDiskLatency:
          return site_name(d.site) + " took " + milliseconds(d.value) + " longer (" + at(d.time) +
                 " in " + task(d.task) + ")";
        default:
          return "random draw at " + site_name(d.site) + " gave " + std::to_string(d.value) +
                 " of [0, " + std::to_string(bound) + ") in " + task(d.task) + " (" + at(d.time) +
                 ")";
      }
    }
    std::uint64_t lo = d.value, hi = d.value;
    std::vector<std::uint64_t> tasks;  // first-seen order
    for (const Decision& m : members) {
      lo = std::min(lo, m.value);
      hi = std::max(hi, m.value);
      const std::uint64_t t = kind == DecisionKind::kStepCost ? m.site : m.task;
      if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
    }
    const bool durations = kind != DecisionKind::kRandom;
    const std::string range =
        durations ? (lo == hi ? milliseconds(lo) : milliseconds(lo) + "-" + milliseconds(hi))
                  : (lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi));
    std::string who;
    constexpr std::size_t kNamed = 3;
    for (std::size_t i = 0; i < tasks.size() && i < kNamed; ++i)
      who += (i == 0 ? "" : i + 1 == tasks.size() ? " and " : ", ") + task(tasks[i]);
    if (tasks.size() > kNamed) who = std::to_string(tasks.size()) + " tasks (" + who + ", ...)";
    const std::string n = std::to_string(members.size());
    const std::string when =
        "(" + at(members.front().time) + " to " + at(members.back().time).substr(2) + ")";
    switch (kind) {
      case DecisionKind::kStepCost:
        return n + " steps took " + range + " in " + who + " " + when;
      case DecisionKind::kTimerDelay:
        return n + " timers fired " + range + " late, armed by " + who + " " + when;
      case DecisionKind::kJobDuration:
        return n + " executor jobs took " + range + " " + when;
      case DecisionKind::kNetDelay:
        return n + " messages on " + site_name(site) + " arrived " + range + " late, sent by " +
               who + " " + when;
      case DecisionKind::kDiskLatency:
        return site_name(site) + " took " + range + " longer, " + n + " times, in " + who + " " +
               when;
      default:
        return n + " random draws at " + site_name(site) + " gave " + range + " of [0, " +
               std::to_string(bound) + ") in " + who + " " + when;
    }
  }
};

// A decision of the simulated world, in the world's terms: "crash n2 (t=0.410000s)",
// "  down for 300ms", "partition {n1} | {n2,n3} (t=...)", "clock drift of n1: +120ppm".
std::string describe_world_decision(const Decision& d, const std::string& name) {
  const std::string when = " (" + at(d.time) + ")";
  auto strip_unit = [](const std::string& n, const char* unit) {
    const std::string u = std::string(" (") + unit + ")";
    return n.size() > u.size() && n.compare(n.size() - u.size(), u.size(), u) == 0
               ? n.substr(0, n.size() - u.size())
               : n;
  };
  auto ends_with = [](const std::string& n, const char* tail) {
    const std::string t(tail);
    return n.size() >= t.size() && n.compare(n.size() - t.size(), t.size(), t) == 0;
  };
  auto signed_text = [](std::int64_t v) { return (v > 0 ? "+" : "") + std::to_string(v); };
  switch (d.kind) {
    case DecisionKind::kCrash:
    case DecisionKind::kPartition:
      if (name.rfind("swarm: ", 0) == 0)
        return name + (d.bound == 2 ? "" : " = " + std::to_string(d.value));
      if (d.kind == DecisionKind::kPartition && d.bound > 2 && !ends_with(name, " (ms)"))
        return "partition " + describe_partition_choice(name, d.value) + when;
      if (d.bound == 2) return name + when;
      return "  " + strip_unit(name, "ms") + " " + std::to_string(d.value) + "ms";
    case DecisionKind::kClock: {
      const std::int64_t v = signed_choice(d.value);
      if (name.rfind("swarm: ", 0) == 0) return name + " = " + std::to_string(d.value);
      if (ends_with(name, "(ppm)")) return strip_unit(name, "ppm") + ": " + signed_text(v) + "ppm";
      if (ends_with(name, "(us)")) return strip_unit(name, "us") + ": " + signed_text(v) + "us";
      return strip_unit(name, "ms") + ": " + signed_text(v) + "ms" + when;
    }
    case DecisionKind::kLinkFault:
      if (name.rfind("swarm: ", 0) == 0) return name + " = " + std::to_string(d.value);
      if (d.bound == 2)
        return "a segment on " + name + " was retransmitted (late by an RTO)" + when;
      return std::string("a datagram on ") + name +
             (d.value == 1 ? " was lost" : " was duplicated") + when;
    default:
      return "";
  }
}

}  // namespace

std::string failure_signature(const std::string& failure) {
  std::string out;
  for (std::size_t i = 0; i < failure.size() && failure[i] != '\n'; ++i) {
    if (failure[i] >= '0' && failure[i] <= '9') {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += failure[i];
    }
  }
  return out;
}

StreamSize stream_size(const std::vector<Decision>& decisions) noexcept {
  StreamSize s;
  s.length = decisions.size();
  for (const Decision& d : decisions) {
    if (d.value == 0) continue;
    ++s.non_default;
    s.value_bits += static_cast<std::uint64_t>(std::bit_width(d.value));
    s.positions += static_cast<std::uint64_t>(&d - decisions.data());
  }
  return s;
}

void ShrinkWitness::on_event(const LoopEvent& e) noexcept {
  try {
    if (e.kind == LoopEvent::Kind::kTaskCreated || e.kind == LoopEvent::Kind::kTaskRenamed)
      task_names[e.task] = std::string(e.text);
    // "gather cancelled at an await of Queue.get()", "cancel at an await of ...".
    const auto action = static_cast<AwaitAction>(e.other);
    if (e.kind == LoopEvent::Kind::kInjected && action != AwaitAction::kThrow) {
      const std::size_t at = e.text.find(kAtAnAwait);
      if (at == std::string_view::npos) return;
      std::string structure;
      if (action == AwaitAction::kCancelEnclosing)
        structure = std::string(e.text.substr(0, e.text.find(' ')));
      injected[e.task].push_back(
          {std::move(structure), std::string(e.text.substr(at + kAtAnAwait.size()))});
    }
  } catch (...) {
  }
}

std::vector<RemovalCandidate> removal_candidates(const std::vector<Decision>& decisions,
                                                 const RemovalKey& from) {
  std::vector<std::size_t> injected, all;
  // Groups of non-default decisions that mean one thing to a person: every decision of a
  // kind ("all step costs"), and of a kind at one site ("the draws at pool.cc:41", "the
  // steps of task 7"), in order of first appearance.
  std::vector<std::pair<DecisionKind, std::uint64_t>> site_order;
  std::map<std::pair<DecisionKind, std::uint64_t>, std::vector<std::size_t>> by_site;
  std::map<DecisionKind, std::vector<std::size_t>> by_kind;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    if (d.value == 0) continue;
    all.push_back(i);
    if (d.kind == DecisionKind::kFault || is_cancel(d.kind)) injected.push_back(i);
    auto [it, fresh] = by_site.try_emplace({d.kind, d.site});
    if (fresh) site_order.push_back({d.kind, d.site});
    it->second.push_back(i);
    by_kind[d.kind].push_back(i);
  }
  std::vector<RemovalCandidate> out;
  auto add = [&](RemovalKey key, std::vector<std::size_t> indices) {
    if (!(key < from)) out.push_back({key, std::move(indices)});
  };
  // Faults and cancellations first: all at once, then each alone.
  if (injected.size() > 1) add({0, 0, 0}, injected);
  for (std::size_t k = 0; k < injected.size(); ++k) add({1, 0, k}, {injected[k]});
  // Then the groups, larger kinds before the sites within them.
  std::size_t g = 0;
  for (auto& [kind, indices] : by_kind)
    if (indices.size() > 1) add({2, 0, g++}, indices);
  for (const auto& key : site_order) {
    const std::vector<std::size_t>& indices = by_site[key];
    if (indices.size() > 1 && indices.size() < by_kind[key.first].size()) add({2, 0, g++}, indices);
  }
  // Then delta debugging over every non-default decision: all, then chunks of each power of
  // two, largest first. Keys order chunks by size (descending) and position, so a search
  // resumed after a removal picks up at the same size and place.
  if (all.empty()) return out;
  std::size_t size = 1;
  while (size * 2 <= all.size()) size *= 2;
  add({3, 0, 0}, all);
  for (; size >= 1; size /= 2) {
    for (std::size_t at = 0; at < all.size(); at += size)
      add({4, ~std::uint64_t{0} - size, at},
          std::vector<std::size_t>(
              all.begin() + static_cast<std::ptrdiff_t>(at),
              all.begin() + static_cast<std::ptrdiff_t>(std::min(at + size, all.size()))));
    if (size == 1) break;
  }
  return out;
}

std::string shrink_summary(const std::vector<Decision>& decisions, std::size_t before,
                           const std::string& failure, const ShrinkWitness& witness,
                           const std::map<std::uint64_t, std::string>& site_names,
                           CancellationFuzzing::Target target) {
  auto task = [&](std::uint64_t id) {
    if (id == 0) return std::string("the loop");
    const auto it = witness.task_names.find(id);
    return it != witness.task_names.end() ? "'" + it->second + "'" : "task " + std::to_string(id);
  };
  auto site = [&](std::uint64_t s) {
    const auto it = site_names.find(s);
    return it != site_names.end() ? it->second : "site " + std::to_string(s);
  };
  const std::size_t after = count_non_default(decisions);
  std::string out = "fails with " + std::to_string(after) + " non-default decision" +
                    (after == 1 ? "" : "s") + " (from " + std::to_string(before) + "): " + failure +
                    "\n";
  if (after == 0) out += "  every choice is plain asyncio's: it fails without any perturbation\n";
  std::map<std::uint64_t, std::uint64_t> awaits_of_task;   // cancel decisions seen, by task
  std::map<std::uint64_t, std::uint64_t> wakes_of_task;    // wake_cancel decisions, by task
  std::map<std::uint64_t, std::size_t> injected_of_task;   // witness entries used, by task
  std::map<std::uint64_t, std::uint64_t> fault_decisions;  // by site
  std::vector<DecisionGroup> groups;
  std::map<GroupKey, std::size_t> group_of;
  struct Line {
    std::string text;
    std::size_t group;  // an index into groups, where the group's line goes; else kNoGroup
  };
  std::vector<Line> lines;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    std::string line;
    switch (d.kind) {
      case DecisionKind::kCancel: {
        const std::uint64_t n = ++awaits_of_task[d.site];
        if (d.value == 0) continue;
        const ShrinkWitness::Injected* seen = nullptr;
        if (const auto it = witness.injected.find(d.site); it != witness.injected.end()) {
          std::size_t& used = injected_of_task[d.site];
          if (used < it->second.size()) seen = &it->second[used++];
        }
        const std::string awaiting = seen ? ", awaiting " + seen->awaited : "";
        switch (injected_cancel(target, d.value)) {
          case InjectedCancel::kTimeout:
            line = "the timeout around " + task(d.site) + "'s " + ordinal(n) +
                   " await expired right then (" + at(d.time) + awaiting + ")";
            break;
          case InjectedCancel::kEnclosing:
            line = "the " +
                   (seen && !seen->structure.empty() ? seen->structure
                                                     : std::string("gather/shield/TaskGroup")) +
                   " around " + task(d.site) + " cancelled at its " + ordinal(n) + " await (" +
                   at(d.time) + awaiting + ")";
            break;
          case InjectedCancel::kTask:
            line = "a cancel injected into " + task(d.site) + " at its " + ordinal(n) + " await (" +
                   at(d.time) + awaiting + ")";
            break;
        }
        break;
      }
      case DecisionKind::kWakeCancel: {
        const std::uint64_t n = ++wakes_of_task[d.site];
        if (d.value == 0) continue;
        const ShrinkWitness::Injected* seen = nullptr;
        if (const auto it = witness.injected.find(d.site); it != witness.injected.end()) {
          std::size_t& used = injected_of_task[d.site];
          if (used < it->second.size()) seen = &it->second[used++];
        }
        line = "a cancel delivered to " + task(d.site) + " after its " +
               (seen ? "await of " + seen->awaited : ordinal(n) + " await") +
               " completed, before it resumed (" + at(d.time) + ")";
        break;
      }
      case DecisionKind::kFault: {
        const bool first = ++fault_decisions[d.site] == 1;
        if (d.value == 0) continue;
        const std::string name = site(d.site);
        if (name.rfind("plan ", 0) == 0) {  // a fault plan's entry: each decision a firing
          line = d.bound > 2 ? "  lasting " + milliseconds(d.value)
                             : name + " fired in " + task(d.task) + " (" + at(d.time) + ")";
        } else {  // a buggify() site: decided once per run, then per reach
          line =
              first ? "fault point " + name + " enabled for the run"
                    : "fault point " + name + " fired in " + task(d.task) + " (" + at(d.time) + ")";
        }
        break;
      }
      default:
        if (d.value == 0) continue;
        if (std::optional<GroupKey> key = group_key(d)) {
          // Equivalent decisions (the same kind, and for draws the same call site and
          // range) read as one line: "12 random draws at x.cc:30 gave 3-9 of [0, 10) ...".
          auto [it, fresh] = group_of.try_emplace(*key, groups.size());
          if (fresh) {
            groups.push_back({d.kind, d.site, d.bound, {}});
            lines.push_back({std::string(), it->second});
          }
          groups[it->second].add(d);
          continue;
        }
        switch (d.kind) {
          case DecisionKind::kTimerOrder:
            line = "of " + std::to_string(d.bound) + " timers due together, #" +
                   std::to_string(d.value + 1) + " fired first (" + at(d.time) + ")";
            break;
          case DecisionKind::kCompletionOrder:
            line = "of " + std::to_string(d.bound) + " completions arriving together, #" +
                   std::to_string(d.value + 1) + " entered first (" + at(d.time) + ")";
            break;
          case DecisionKind::kReadyOrder:
            line = "of " + std::to_string(d.bound) + " ready callbacks, #" +
                   std::to_string(d.value + 1) + " ran first (" + at(d.time) + ")";
            break;
          case DecisionKind::kCrash:
          case DecisionKind::kPartition:
          case DecisionKind::kClock:
          case DecisionKind::kLinkFault:
            line = describe_world_decision(d, site(d.site));
            break;
          case DecisionKind::kDiskError:
            // The site names the disk, the error and the file: "disk 'n2': EIO on fsync of
            // 'wal'"; a latent sector error says which sector of the read.
            line =
                site(d.site) +
                (d.bound > 2 ? " (sector " + std::to_string(d.value - 1) + " of the read)" : "") +
                " in " + task(d.task) + " (" + at(d.time) + ")";
            break;
          case DecisionKind::kDiskCrash:
            // The site reads "crash of disk 'n2': unsynced writes to 'wal'" (bound >= 3) or
            // "... unsynced changes to directory 'd'" (bound 2).
            if (d.bound == 2) {
              line = site(d.site) + " undone (" + at(d.time) + ")";
            } else if (d.value == 1) {
              line = site(d.site) + " lost (" + at(d.time) + ")";
            } else {
              line = site(d.site) + " torn: the last one cut after " + std::to_string(d.value - 2) +
                     " of its " + std::to_string(d.bound - 2) + " sectors (" + at(d.time) + ")";
            }
            break;
          default:
            line = "decision #" + std::to_string(i) + " " + to_string(d.kind) + " = " +
                   std::to_string(d.value);
        }
    }
    lines.push_back({std::move(line), kNoGroup});
  }
  for (const Line& l : lines)
    out += "  " + (l.group == kNoGroup ? l.text : groups[l.group].describe(task, site)) + "\n";
  return out;
}

}  // namespace internal

}  // namespace lockstep
