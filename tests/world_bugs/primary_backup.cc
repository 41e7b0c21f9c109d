// primary-backup-async-ack: a primary "p" and a backup "b" over streams. The client
// writes to the primary; when the primary stops answering it promotes the backup, which
// from then on refuses the old primary's replication and serves the writes. The buggy
// primary acknowledges a write once it is on its own disk and replicates it afterwards;
// cut off from the backup (a partition) and then lost (a crash), its acknowledged writes
// never reach the new primary. Fixed: it acknowledges only once the backup has the write.
#include <set>

#include "loop/lockstep.h"
#include "tests/world_bugs/bugs.h"
#include "tests/world_bugs/durable.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 7000;

struct Data {
  std::set<int> values;
  bool promoted = false;  // the backup: now the primary
};

struct Pair {
  bool async_ack = false;
  std::map<std::string, Durable<Data>> disks;
};

struct Server {
  Pair* pair;
  std::string name;
  Data data;
};

Coro<void> store(Server* s, int v) {
  s->data.values.insert(v);
  co_await s->pair->disks.at(s->name).persist(s->data);
}

Coro<bool> replicate(int v) {
  auto reply = co_await tcp_call("b", kPort, "rep " + std::to_string(v), 200ms);
  co_return reply&&* reply == "ok";
}

Coro<void> replicate_until_done(int v) {
  for (;;) {
    const bool done = co_await replicate(v);
    if (done) break;
    co_await sleep(50ms);
  }
}

Coro<std::string> on_request(Server* s, std::string line) {
  const std::vector<std::string> w = words(line);
  if (w[0] == "get") {
    std::string out = "values";
    for (int v : s->data.values) out += " " + std::to_string(v);
    co_return out;
  }
  if (w[0] == "promote") {
    s->data.promoted = true;
    co_await s->pair->disks.at(s->name).persist(s->data);
    co_return "ok";
  }
  const int v = std::stoi(w.at(1));
  if (w[0] == "rep") {  // on the backup
    if (s->data.promoted) co_return "no";
    co_await store(s, v);
    co_return "ok";
  }
  // "put <v>"
  if (s->name == "b") {
    if (!s->data.promoted) co_return "no";
    co_await store(s, v);
    co_return "ok";
  }
  co_await store(s, v);
  if (s->pair->async_ack) {
    create_task(replicate_until_done(v));  // the bug: acknowledged before the backup has it
    co_return "ok";
  }
  const bool replicated = co_await replicate(v);
  if (!replicated) co_return "fail";
  co_return "ok";
}

Coro<void> server(Pair* pair, std::string name) {
  Server s{pair, name, pair->disks.at(name).read()};
  const LineHandler handler = [&s](std::string line) { return on_request(&s, std::move(line)); };
  co_await serve_lines(kPort, handler);
}

struct Client {
  std::string primary = "p";
  std::vector<int> acked;
};

Coro<void> promote_backup(Client* c) {
  for (;;) {
    auto reply = co_await tcp_call("b", kPort, "promote", 300ms);
    if (reply && *reply == "ok") break;
    co_await sleep(100ms);
  }
  c->primary = "b";
}

Coro<void> client(Client* c, TimePoint until) {
  int silent = 0;  // requests in a row the primary did not answer
  for (int v = 1; now() < until;) {
    auto reply = co_await tcp_call(c->primary, kPort, "put " + std::to_string(v), 500ms);
    if (reply && *reply == "ok") {
      c->acked.push_back(v++);
      silent = 0;
    } else if (!reply && c->primary == "p" && ++silent >= 2) {
      co_await promote_backup(c);
    }
    co_await sleep(20ms);
  }
}

Coro<std::set<int>> read_primary(Client* c) {
  for (;;) {
    auto reply = co_await tcp_call(c->primary, kPort, "get", 300ms);
    if (reply) {
      std::set<int> out;
      const std::vector<std::string> w = words(*reply);
      for (std::size_t i = 1; i < w.size(); ++i) out.insert(std::stoi(w[i]));
      co_return out;
    }
    co_await sleep(100ms);
  }
}

WorldFaults faults() {
  WorldFaults f;
  f.crash = 0.05;
  f.max_down = 1s;
  f.partition = 0.1;
  f.max_partition = 1s;
  f.loss = 0.05;
  return f;
}

Coro<void> run(Variant variant, Mix how) {
  Pair pair;
  pair.async_ack = variant == Variant::kBuggy;
  for (const char* n : {"p", "b"}) pair.disks.emplace(n, Durable<Data>{});
  World world;
  for (const char* n : {"p", "b"}) {
    const std::string name = n;
    world.add_node(name, [&pair, name] { return server(&pair, name); });
  }
  const WorldFaults f = pick_faults(world, faults(), how);
  Client c;
  Task<void> load = create_task(client(&c, now() + 5s), "client");
  co_await world.run_faults(f, 5s);
  co_await load;
  co_await sleep(100ms);
  const std::set<int> read = co_await world.within(5s, read_primary(&c), "a read");
  for (int v : c.acked)
    if (!read.count(v))
      throw Violation("acknowledged write " + std::to_string(v) + " lost after failover to " +
                      c.primary);
}

}  // namespace

Bug primary_backup_bug() {
  return {"primary-backup-async-ack", "primary acks before the backup has the write",
          "partition + primary crash", faults(), run};
}

}  // namespace lockstep::bugs
