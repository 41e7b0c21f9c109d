// lease-on-wall-clock: a lease manager "m" (datagrams) grants an exclusive 500ms lease;
// contenders "a" and "b" renew every 100ms and serve reads while they believe they hold
// it, counting from when they sent the request. The buggy holder times its lease on the
// wall clock: cut off from the manager (partition or lost renewals) while an NTP step
// sets its wall clock back, it goes on serving after the manager has granted the lease
// to the other. Fixed: it times the lease on its monotonic clock.
// The manager keeps its grants in memory, so after a reboot it waits out one lease.
#include <map>
#include <optional>

#include "loop/lockstep.h"
#include "tests/world_bugs/bugs.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 9000;
constexpr Duration kLease = 500ms;

struct Cluster {
  Loop* loop = nullptr;
  bool wall_clock_lease = false;
  std::vector<std::pair<TimePoint, std::string>> grants;  // global time, holder
  std::optional<std::string> violation;
  std::uint64_t served = 0;
};

Coro<void> manager(Cluster* c) {
  DatagramEndpoint ep = co_await bind_udp("m", kPort);
  co_await sleep(kLease);  // a lease granted before a reboot may still run
  std::string holder;
  TimePoint expiry{};
  for (;;) {
    Datagram d = co_await ep.recvfrom();
    const std::vector<std::string> w = words(d.data);  // acquire <who> <id>
    if (w.size() != 3) continue;
    std::string reply = "busy " + w[2];
    if (holder == w[1] || now() >= expiry) {
      holder = w[1];
      expiry = now() + kLease;
      c->grants.emplace_back(c->loop->global_time(), holder);
      reply = "granted " + w[2];
    }
    co_await ep.sendto(reply, d.from);
  }
}

struct Holder {
  Cluster* c;
  std::string name;
  std::optional<TimePoint> until;                                   // monotonic (fixed)
  std::optional<std::chrono::system_clock::time_point> wall_until;  // wall clock (buggy)

  bool holds() const {
    if (c->wall_clock_lease) return wall_until && c->loop->wall_clock() < *wall_until;
    return until && now() < *until;
  }
};

// Serves "reads" every 10ms while it believes it holds the lease; each must fall in a
// lease the manager granted to it.
Coro<void> serve(Holder* h) {
  for (;;) {
    co_await sleep(10ms);
    if (!h->holds()) continue;
    ++h->c->served;
    const TimePoint t = h->c->loop->global_time();
    std::string owner;
    for (const auto& [at, who] : h->c->grants)
      if (at <= t) owner = who;
    if (owner != h->name && !h->c->violation)
      h->c->violation = h->name + " served at t=" + std::to_string(to_seconds(t)) +
                        "s while the lease was " + owner + "'s";
  }
}

Coro<void> contender(Cluster* c, std::string name) {
  Holder h{c, name, {}, {}};
  Task<void> serving = create_task(serve(&h), name + "/serve");
  for (int id = 0;; ++id) {
    const TimePoint sent = now();
    const auto wall_sent = c->loop->wall_clock();
    auto reply = co_await udp_call("m", kPort, "acquire " + name + " " + std::to_string(id), 100ms);
    if (reply && *reply == "granted " + std::to_string(id)) {
      h.until = sent + kLease;
      h.wall_until =
          wall_sent + std::chrono::duration_cast<std::chrono::system_clock::duration>(kLease);
    }
    co_await sleep(100ms);
  }
}

Coro<void> served_more(Cluster* c, std::uint64_t before) {
  while (c->served < before + 10) co_await sleep(10ms);
}

WorldFaults faults() {
  WorldFaults f;
  f.crash = 0.02;
  f.partition = 0.1;
  f.max_partition = 1s;
  f.loss = 0.1;
  f.clock_step = 0.05;
  f.max_clock_step = 1s;
  return f;
}

Coro<void> run(Variant variant, Mix how) {
  Cluster c;
  c.wall_clock_lease = variant == Variant::kBuggy;
  World world;
  c.loop = &world.loop();
  world.add_node("m", [&c] { return manager(&c); });
  for (const char* n : {"a", "b"}) {
    const std::string name = n;
    world.add_node(name, [&c, name] { return contender(&c, name); });
  }
  const WorldFaults f = pick_faults(world, faults(), how);
  co_await world.run_faults(f, 5s);
  const std::uint64_t served = c.served;
  co_await world.within(5s, served_more(&c, served), "serving under a lease");
  if (c.violation) throw Violation(*c.violation);
}

}  // namespace

Bug lease_clock_bug() {
  return {"lease-on-wall-clock", "lease timed on the wall clock",
          "partition or lost renewals + clock step back", faults(), run};
}

}  // namespace lockstep::bugs
