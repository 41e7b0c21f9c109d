// quorum-ack-before-fsync: a set replicated on three nodes over streams, written to all
// and acknowledged by two (W=2), read from two (R=2) and merged. The buggy replica
// answers "ok" as soon as the value is in memory and fsyncs after: a replica that loses
// power in that window forgets an acknowledged value. It takes two crashes together: one
// replica down while the value is written (so only two have it), and one of those two
// crashing before its fsync; a read quorum of the other two then misses it.
#include <set>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "tests/world_bugs/bugs.h"
#include "tests/world_bugs/durable.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 7000;
const std::vector<std::string>& replicas() {
  static const std::vector<std::string> names{"r1", "r2", "r3"};
  return names;
}

struct Store {
  bool ack_before_fsync = false;
  std::map<std::string, Durable<std::set<int>>> disks;
};

struct Replica {
  Store* store;
  std::string name;
  std::set<int> values;  // in memory: what it answers reads from
};

Coro<void> persist(Replica* r) { co_await r->store->disks.at(r->name).persist(r->values); }

Coro<std::string> on_request(Replica* r, std::string line) {
  const std::vector<std::string> w = words(line);
  if (w.size() == 2 && w[0] == "put") {
    r->values.insert(std::stoi(w[1]));
    if (r->store->ack_before_fsync) {
      create_task(persist(r));  // the bug: "ok" goes out before the fsync
    } else {
      co_await persist(r);
    }
    co_return "ok";
  }
  std::string out = "values";
  for (int v : r->values) out += " " + std::to_string(v);
  co_return out;
}

Coro<void> replica(Store* store, std::string name) {
  Replica r{store, name, store->disks.at(name).read()};
  const LineHandler handler = [&r](std::string line) { return on_request(&r, std::move(line)); };
  co_await serve_lines(kPort, handler);
}

// Writes v to every replica; true if at least two acknowledged.
Coro<bool> quorum_put(int v) {
  int oks = 0;
  for (const std::string& r : replicas()) {
    auto reply = co_await tcp_call(r, kPort, "put " + std::to_string(v), 200ms);
    oks += reply && *reply == "ok";
  }
  co_return oks >= 2;
}

// The union of what two replicas hold (taken in a decided order); nullopt without two.
Coro<std::optional<std::set<int>>> quorum_get() {
  std::set<int> merged;
  int answers = 0;
  const std::size_t first = random_below(3);
  for (std::size_t k = 0; k < 3 && answers < 2; ++k) {
    auto reply = co_await tcp_call(replicas()[(first + k) % 3], kPort, "get", 200ms);
    if (!reply) continue;
    ++answers;
    const std::vector<std::string> w = words(*reply);
    for (std::size_t i = 1; i < w.size(); ++i) merged.insert(std::stoi(w[i]));
  }
  if (answers < 2) co_return std::nullopt;
  co_return merged;
}

void check(const std::set<int>& read, const std::vector<int>& acked) {
  for (int v : acked)
    if (!read.count(v))
      throw Violation("acknowledged value " + std::to_string(v) + " missing from a quorum read");
}

Coro<void> client(std::vector<int>* acked, TimePoint until) {
  for (int v = 1; now() < until; ++v) {
    const bool ok = co_await quorum_put(v);
    if (ok) acked->push_back(v);
    co_await sleep(10ms);
    if (v % 5 == 0) {
      const std::vector<int> before = *acked;
      auto read = co_await quorum_get();
      if (read) check(*read, before);
    }
  }
}

Coro<std::set<int>> read_until_quorum() {
  for (;;) {
    auto read = co_await quorum_get();
    if (read) co_return *read;
    co_await sleep(100ms);
  }
}

WorldFaults faults() {
  WorldFaults f;
  f.crash = 0.1;
  f.max_down = 1s;
  f.max_down_at_once = 2;
  f.partition = 0.1;
  f.loss = 0.05;
  return f;
}

Coro<void> run(Variant variant, Mix how) {
  Store store;
  store.ack_before_fsync = variant == Variant::kBuggy;
  for (const std::string& r : replicas()) store.disks.emplace(r, Durable<std::set<int>>{});
  World world;
  for (const std::string& r : replicas())
    world.add_node(r, [&store, r] { return replica(&store, r); });
  const WorldFaults f = pick_faults(world, faults(), how);
  std::vector<int> acked;
  Task<void> load = create_task(client(&acked, now() + 5s), "client");
  co_await world.run_faults(f, 5s);
  co_await load;
  co_await sleep(100ms);  // every replica is back and listening
  const std::set<int> read = co_await world.within(5s, read_until_quorum(), "a quorum read");
  check(read, acked);
}

}  // namespace

Bug quorum_fsync_bug() {
  return {"quorum-ack-before-fsync", "replica acks a put before its fsync",
          "two overlapping crashes", faults(), run};
}

}  // namespace lockstep::bugs
