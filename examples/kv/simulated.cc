#include "examples/kv/simulated.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "examples/kv/client.h"
#include "examples/kv/node.h"
#include "sim/disk/sim_file_system.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/loop_clock.h"
#include "sim/linearizability/models.h"
#include "sim/random.h"

namespace kv {

using lockstep::Coro;

namespace {

const std::vector<std::string>& members() {
  static const std::vector<std::string> m{"n1:7000", "n2:7000", "n3:7000"};
  return m;
}

// Who won each term, over every node and restart of a run; the first term won twice.
struct Elections {
  std::map<std::uint64_t, std::string> leader_of;
  std::string violation;
  void won(std::uint64_t term, const std::string& node) {
    const auto [it, first] = leader_of.emplace(term, node);
    if (!first && it->second != node && violation.empty())
      violation = "two leaders of term " + std::to_string(term) + ": " + it->second + " and " +
                  node + " (at t=" + std::to_string(lockstep::to_seconds(lockstep::now())) + "s)";
  }
  void check() const {
    if (!violation.empty()) throw TwoLeaders("kv: " + violation);
  }
};

Coro<void> replica(Bugs bugs, std::size_t self, Elections* elections) {
  auto node = std::make_shared<Node>(bugs);
  node->watch_leadership(
      [elections](std::uint64_t term, const std::string& who) { elections->won(term, who); });
  co_await node->listen("0.0.0.0", 7000);
  co_await node->run(members(), self);
}

// Random puts and gets on three keys until `stop` is set; an Unavailable request is
// recorded as unknown and the client goes on.
Coro<void> client_loop(std::int64_t id, lockstep::lin::Recorder* history, lockstep::Event* stop) {
  Client c(id, members(), history);
  static const char* const keys[] = {"a", "b", "c"};
  for (std::int64_t i = 1; !stop->is_set(); ++i) {
    const std::string key = keys[lockstep::random_below(3)];
    try {
      if (lockstep::random_chance(1, 2))
        co_await c.put(key, id * 1000 + i);
      else
        (void)co_await c.get(key);
    } catch (const Unavailable&) {
    }
    // A think time with a floor: with every draw at its minimum (as the shrinker tries)
    // the clients must not flood the history with thousands of operations.
    co_await lockstep::sleep(20ms + lockstep::random_duration(30ms));
  }
}

// A state bound rather than a time bound: the verdict must not depend on the machine.
lockstep::lin::Budget check_budget(bool explain) {
  lockstep::lin::Budget budget;
  budget.time = std::nullopt;
  budget.max_states = 2'000'000;
  budget.explain = explain;
  return budget;
}

}  // namespace

bool same_failure(const std::string& original, const std::string& candidate) {
  const auto kind = [](const std::string& f) { return f.substr(0, f.find(':')); };
  return kind(original) == kind(candidate);
}

lockstep::WorldFaults default_faults() {
  lockstep::WorldFaults f;
  f.crash = 0.04;
  f.max_down = std::chrono::milliseconds(800);
  f.max_down_at_once = 2;
  f.partition = 0.05;
  f.max_partition = std::chrono::milliseconds(800);
  f.loss = 0.01;
  f.duplicate = 0.01;
  return f;
}

lockstep::WorldFaults election_faults() {
  lockstep::WorldFaults f;
  f.crash = 0.25;
  f.max_down = std::chrono::milliseconds(150);
  f.max_down_at_once = 2;
  f.partition = 0.25;
  f.max_partition = std::chrono::milliseconds(250);
  return f;
}

Coro<void> simulated_cluster(Bugs bugs, lockstep::WorldFaults faults) {
  // Skewed clocks (up to 50ms apart, 200ppm of drift) and slow fsyncs: safety must not
  // lean on either; crashes decide what each disk had not synced.
  lockstep::WorldOptions options;
  options.clocks.max_offset = std::chrono::milliseconds(50);
  options.clocks.max_drift_ppm = 200;
  Elections elections;  // outlives the world: nodes report to it until they are gone
  lockstep::World world(options);
  lockstep::DiskFaults disk;
  disk.latency_probability = 0.05;
  disk.max_latency = std::chrono::milliseconds(20);
  for (std::size_t i = 0; i < members().size(); ++i) {
    const std::string name = "n" + std::to_string(i + 1);
    lockstep::sim_file_system().disk(name).set_faults(disk);
    world.add_node(name, [bugs, i, e = &elections] { return replica(bugs, i, e); });
  }
  lockstep::lin::Recorder history(lockstep::lin::loop_clock());
  lockstep::Event stop;
  std::vector<lockstep::Task<void>> clients;
  for (std::int64_t id = 1; id <= 3; ++id)
    clients.push_back(
        lockstep::create_task(client_loop(id, &history, &stop), "client-" + std::to_string(id)));
  co_await world.run_faults(faults, std::chrono::seconds(4));
  stop.set();
  co_await lockstep::gather(clients);
  elections.check();
  // Liveness: with the faults over, a new leader serves a put and a get.
  // Its own deadline is longer than the bound: a stuck cluster is a LivenessError.
  Client last(4, members(), &history, std::chrono::seconds(10));
  co_await world.within(std::chrono::seconds(3), last.put("a", -1), "a put after the faults");
  co_await world.within(std::chrono::seconds(3), last.get("a"), "a get after the faults");
  elections.check();
  // The clients' history against a map of registers, key by key.
  const lockstep::lin::CheckResult r =
      lockstep::lin::check(history.history(), lockstep::lin::KvMap{}, check_budget(false));
  if (r.verdict == lockstep::lin::Verdict::kNotLinearizable)
    throw NotLinearizable("the clients' history is not linearizable (key \"" + r.partition +
                              "\"; NotLinearizable::explain() tells why)",
                          history.history());
  // Never a silent pass: a history too hard to decide fails the run (and says so).
  if (r.verdict == lockstep::lin::Verdict::kUnknown)
    throw std::runtime_error("kv: the checker could not decide the history: " + r.text);
}

std::string NotLinearizable::explain() const {
  return lockstep::lin::check(history_, lockstep::lin::KvMap{}, check_budget(true)).text;
}

}  // namespace kv
