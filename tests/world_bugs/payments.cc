// A payment service over datagrams: a client node "c" sends "pay <id> <amount>" to the
// bank "s" and retries every 100ms until it hears "ok <id>". The bank deduplicates by
// id so that a retry or a duplicated datagram is not applied twice. Two bugs:
//   transfer-dedupe-not-persisted: the balance is persisted, the set of applied ids is
//     not: after a crash, a retry of a transfer whose reply was lost is applied again.
//   dedupe-cache-ttl: ids are forgotten 300ms after they were applied (a bounded cache);
//     a retry that arrives later (the reply lost, then a partition) is applied again.
// The check: the bank's audit log (what was applied, kept by the test) has no id twice.
#include <map>
#include <set>

#include "loop/lockstep.h"
#include "tests/world_bugs/bugs.h"
#include "tests/world_bugs/durable.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 9000;

struct Account {
  long balance = 0;
  std::map<int, TimePoint> applied;  // id -> when (the bank's monotonic clock)
};

struct Bank {
  bool persist_ids = true;      // transfer-dedupe-not-persisted when false
  std::optional<Duration> ttl;  // dedupe-cache-ttl when set
  Durable<Account> disk;
  std::vector<int> audit;  // every application, in order
  long acked = 0;          // sum of acknowledged amounts
};

Coro<void> bank(Bank* b) {
  DatagramEndpoint ep = co_await bind_udp("s", kPort);
  Account mem = b->disk.read();
  for (;;) {
    Datagram d = co_await ep.recvfrom();
    const std::vector<std::string> w = words(d.data);
    if (w.size() != 3 || w[0] != "pay") continue;
    const int id = std::stoi(w[1]);
    if (b->ttl)
      std::erase_if(mem.applied, [&](const auto& e) { return now() - e.second > *b->ttl; });
    if (!mem.applied.count(id)) {
      mem.balance += std::stol(w[2]);
      mem.applied[id] = now();
      Account on_disk = mem;
      if (!b->persist_ids) on_disk.applied.clear();  // the bug: only the balance is durable
      co_await b->disk.persist(on_disk);
      b->audit.push_back(id);
    }
    co_await ep.sendto("ok " + w[1], d.from);
  }
}

struct Client {
  Bank* bank;
  int next_id = 1;  // survives the client's crashes (kept by the test)
  TimePoint until{};
};

Coro<void> client(Client* c) {
  while (now() < c->until) {
    const int id = c->next_id;
    const long amount = 10;
    for (;;) {
      auto reply = co_await udp_call(
          "s", kPort, "pay " + std::to_string(id) + " " + std::to_string(amount), 100ms);
      if (reply && *reply == "ok " + std::to_string(id)) break;
    }
    c->bank->acked += amount;
    ++c->next_id;
    co_await sleep(20ms);
  }
}

Coro<void> all_paid(Client* c) {
  while (now() < c->until) co_await sleep(10ms);
  co_await sleep(1s);
}

Coro<void> run(bool persist_ids, std::optional<Duration> ttl, WorldFaults mix, Mix how) {
  Bank b;
  b.persist_ids = persist_ids;
  b.ttl = ttl;
  Client cl{&b};
  World world;
  cl.until = world.loop().global_time() + 5s;
  world.add_node("s", [&b] { return bank(&b); });
  world.add_node("c", [&cl] { return client(&cl); });
  const WorldFaults f = pick_faults(world, mix, how);
  co_await world.run_faults(f, 5s);
  co_await world.within(5s, all_paid(&cl), "the payments");
  std::set<int> seen;
  for (int id : b.audit)
    if (!seen.insert(id).second)
      throw Violation("transfer " + std::to_string(id) + " applied twice");
}

WorldFaults transfer_faults() {
  WorldFaults f;
  f.nodes = {"s"};
  f.crash = 0.05;
  f.max_down = 500ms;
  f.loss = 0.1;
  f.duplicate = 0.1;
  return f;
}

WorldFaults ttl_faults() {
  WorldFaults f;
  f.crash = 0.02;
  f.partition = 0.1;
  f.max_partition = 1s;
  f.loss = 0.1;
  f.duplicate = 0.1;
  return f;
}

}  // namespace

Bug transfer_retry_bug() {
  return {"transfer-dedupe-not-persisted", "applied ids kept in memory only", "lost reply + crash",
          transfer_faults(), [](Variant v, Mix how) {
            return run(v == Variant::kFixed, std::nullopt, transfer_faults(), how);
          }};
}

Bug counter_dedupe_bug() {
  return {"dedupe-cache-ttl", "applied ids forgotten after 300ms",
          "lost reply + lost retries or partition", ttl_faults(), [](Variant v, Mix how) {
            std::optional<Duration> ttl;
            if (v == Variant::kBuggy) ttl = 300ms;
            return run(true, ttl, ttl_faults(), how);
          }};
}

}  // namespace lockstep::bugs
