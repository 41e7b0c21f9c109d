// A small Raft (election + a replicated log, over datagrams) with two classic bugs:
//   raft-vote-not-persisted: a node's vote lives only in memory; a voter that crashes
//     and reboots in the same term votes again, and one term gets two leaders.
//   raft-stale-log-leader: voters do not check that the candidate's log is at least as
//     up to date as theirs (Raft's election restriction); a node that missed entries in a
//     partition becomes leader later and overwrites acknowledged writes.
// Followers take the leader's whole log (the logs are short), never shrinking to a prefix
// of what they have (a reordered old append); a follower that heard from a leader in the
// last 300ms ignores candidates, so a node back from a partition cannot depose a working
// leader on its own (without that, one partition would do for the stale-log bug).
#include <map>
#include <set>
#include <sstream>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "tests/world_bugs/bugs.h"
#include "tests/world_bugs/durable.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 9000;

struct Entry {
  int term = 0;
  int value = 0;
  friend bool operator==(const Entry&, const Entry&) = default;
};
using Log = std::vector<Entry>;

struct Persistent {
  int term = 0;
  std::string voted_for;
  Log log;
};

struct Cluster {
  bool persist_vote = true;  // bug 1 when false
  bool check_log = true;     // bug 2 when false
  std::vector<std::string> names{"n1", "n2", "n3"};
  std::map<std::string, Durable<Persistent>> disks;
  std::map<std::string, Log> logs;               // each node's current log (for the check)
  std::map<int, std::set<std::string>> leaders;  // term -> who became its leader
  std::map<std::pair<int, std::string>, std::string> votes;  // (term, voter) -> candidate
  std::optional<std::string> violation;
};

struct Node {
  Cluster* c;
  std::string name;
  DatagramEndpoint ep;
  int term = 0;
  std::string voted_for;
  Log log;
  enum class Role { kFollower, kCandidate, kLeader } role = Role::kFollower;
  TimePoint last_heard{};
  std::optional<TimePoint> leader_contact;  // the last append from a leader
  Duration election_timeout{};
  std::set<std::string> votes;
  std::map<std::string, std::size_t> match;  // leader: how much of its log each peer has
  std::size_t commit = 0;
  std::map<std::size_t, std::pair<int, Address>> pending;  // leader: index -> client write

  Node(Cluster* cluster, std::string n, DatagramEndpoint e)
      : c(cluster), name(std::move(n)), ep(std::move(e)) {
    const Persistent& p = c->disks.at(name).read();
    term = p.term;
    voted_for = p.voted_for;
    log = p.log;
    c->logs[name] = log;
  }
  Persistent state() const {
    Persistent p{term, c->persist_vote ? voted_for : std::string(), log};
    return p;
  }
  std::string log_text() const {
    std::string out = std::to_string(log.size());
    for (const Entry& e : log) out += " " + std::to_string(e.term) + " " + std::to_string(e.value);
    return out;
  }
};

Coro<void> send(Node* n, std::string to, std::string msg) {
  co_await n->ep.sendto(std::move(msg), at(to, kPort));
}

Coro<void> persist(Node* n) {
  co_await n->c->disks.at(n->name).persist(n->state());
  n->c->logs[n->name] = n->log;
}

void become_follower(Node* n, int term) {
  if (term > n->term) {
    n->term = term;
    n->voted_for.clear();
  }
  n->role = Node::Role::kFollower;
}

Coro<void> advance_commit(Node* n) {
  for (std::size_t i = n->log.size(); i > n->commit; --i) {
    int count = 1;
    for (const auto& [peer, m] : n->match) count += m >= i;
    if (count >= 2 && n->log[i - 1].term == n->term) {
      n->commit = i;
      break;
    }
  }
  for (auto it = n->pending.begin(); it != n->pending.end() && it->first <= n->commit;) {
    const auto [value, client] = it->second;
    it = n->pending.erase(it);
    co_await n->ep.sendto("ok " + std::to_string(value), client);
  }
}

Coro<void> broadcast(Node* n, std::string msg) {
  for (const std::string& peer : n->c->names)
    if (peer != n->name) co_await send(n, peer, msg);
}

Coro<void> ticker(Node* n) {
  for (;;) {
    co_await sleep(50ms);
    const int last_term = n->log.empty() ? 0 : n->log.back().term;
    const std::string vote = "vote " + std::to_string(n->term) + " " + n->name + " " +
                             std::to_string(last_term) + " " + std::to_string(n->log.size());
    if (n->role == Node::Role::kLeader) {
      co_await broadcast(n,
                         "append " + std::to_string(n->term) + " " + n->name + " " + n->log_text());
    } else if (n->role == Node::Role::kCandidate && now() - n->last_heard < n->election_timeout) {
      co_await broadcast(n, vote);  // asks again: requests may be lost
    } else if (now() - n->last_heard >= n->election_timeout) {
      ++n->term;
      n->role = Node::Role::kCandidate;
      n->voted_for = n->name;
      n->votes = {n->name};
      n->last_heard = now();
      n->election_timeout = 300ms + std::chrono::milliseconds(random_below(300));
      co_await persist(n);
      co_await broadcast(n, "vote " + std::to_string(n->term) + " " + n->name + " " +
                                std::to_string(last_term) + " " + std::to_string(n->log.size()));
    }
  }
}

Coro<void> handle(Node* n, Datagram d) {
  std::istringstream in(d.data);
  std::string kind, from;
  int term = 0;
  in >> kind;
  if (kind == "write") {
    int value = 0;
    in >> value;
    if (n->role != Node::Role::kLeader) {
      co_await n->ep.sendto("no", d.from);
      co_return;
    }
    n->log.push_back({n->term, value});
    n->pending[n->log.size()] = {value, d.from};
    co_await persist(n);
    co_await advance_commit(n);
    co_return;
  }
  in >> term >> from;
  // A follower that hears from a leader ignores candidates (Raft's defence against
  // disruptive servers): a node back from a partition cannot depose a working leader.
  if (kind == "vote" && n->leader_contact && now() - *n->leader_contact < 300ms) co_return;
  if (term > n->term) become_follower(n, term);
  if (kind == "vote") {
    int last_term = 0;
    std::size_t last_index = 0;
    in >> last_term >> last_index;
    const int my_last = n->log.empty() ? 0 : n->log.back().term;
    const bool up_to_date =
        last_term > my_last || (last_term == my_last && last_index >= n->log.size());
    const bool grant = term == n->term && (n->voted_for.empty() || n->voted_for == from) &&
                       (!n->c->check_log || up_to_date);
    const int vote_term = n->term;
    if (grant) {
      n->voted_for = from;
      n->last_heard = now();
    }
    co_await persist(n);
    if (grant) {  // the vote goes out: at most one per node and term
      auto [it, first] = n->c->votes.try_emplace({vote_term, n->name}, from);
      if (!first && it->second != from && !n->c->violation)
        n->c->violation = n->name + " voted for " + it->second + " and " + from + " in term " +
                          std::to_string(vote_term);
    }
    co_await send(n, from,
                  "voted " + std::to_string(n->term) + " " + n->name + " " + std::to_string(grant));
  } else if (kind == "voted") {
    int granted = 0;
    in >> granted;
    if (n->role != Node::Role::kCandidate || term != n->term || !granted) co_return;
    n->votes.insert(from);
    if (n->votes.size() < 2) co_return;
    n->role = Node::Role::kLeader;
    n->match.clear();
    n->pending.clear();
    n->commit = 0;
    auto& leaders = n->c->leaders[n->term];
    leaders.insert(n->name);
    if (leaders.size() > 1 && !n->c->violation)
      n->c->violation = "two leaders in term " + std::to_string(n->term) + ": " + *leaders.begin() +
                        " and " + *leaders.rbegin();
  } else if (kind == "append") {
    if (term < n->term) {
      co_await send(n, from, "appended " + std::to_string(n->term) + " " + n->name + " 0");
      co_return;
    }
    become_follower(n, term);
    n->last_heard = now();
    n->leader_contact = now();
    std::size_t size = 0;
    in >> size;
    Log log(size);
    for (Entry& e : log) in >> e.term >> e.value;
    const bool prefix_of_mine =
        log.size() <= n->log.size() && std::equal(log.begin(), log.end(), n->log.begin());
    if (!prefix_of_mine) {
      n->log = log;
      co_await persist(n);
    }
    co_await send(
        n, from,
        "appended " + std::to_string(n->term) + " " + n->name + " " + std::to_string(log.size()));
  } else if (kind == "appended") {
    std::size_t size = 0;
    in >> size;
    if (n->role != Node::Role::kLeader || term != n->term) co_return;
    n->match[from] = std::max(n->match[from], size);
    co_await advance_commit(n);
  }
}

Coro<void> raft_node(Cluster* c, std::string name) {
  DatagramEndpoint ep = co_await bind_udp(name, kPort);
  Node n(c, name, std::move(ep));
  n.last_heard = now();
  n.election_timeout = 300ms + std::chrono::milliseconds(random_below(300));
  Task<void> tick = create_task(ticker(&n), name + "/ticker");
  for (;;) {
    Datagram d = co_await n.ep.recvfrom();
    co_await handle(&n, std::move(d));
  }
}

// Writes value to whichever node leads; true once acknowledged.
Coro<bool> write_once(Cluster* c, int value, std::size_t* hint) {
  for (std::size_t k = 0; k < c->names.size(); ++k) {
    const std::string& to = c->names[(*hint + k) % c->names.size()];
    auto reply = co_await udp_call(to, kPort, "write " + std::to_string(value), 300ms);
    if (reply && *reply == "ok " + std::to_string(value)) {
      *hint = (*hint + k) % c->names.size();
      co_return true;
    }
  }
  co_return false;
}

Coro<void> writer(Cluster* c, std::vector<int>* acked, TimePoint until) {
  std::size_t hint = 0;
  for (int v = 1; now() < until; ++v) {
    const bool ok = co_await write_once(c, v, &hint);
    if (ok) acked->push_back(v);
    co_await sleep(50ms);
  }
}

Coro<int> write_until_acked(Cluster* c, int value) {
  std::size_t hint = 0;
  for (;;) {
    const bool acked = co_await write_once(c, value, &hint);
    if (acked) break;
    co_await sleep(100ms);
  }
  co_return static_cast<int>(hint);
}

Coro<void> run(bool persist_vote, bool check_log, WorldFaults mix, Mix how) {
  Cluster c;
  c.persist_vote = persist_vote;
  c.check_log = check_log;
  for (const std::string& n : c.names) c.disks.emplace(n, Durable<Persistent>{});
  World world;
  for (const std::string& n : c.names) world.add_node(n, [&c, n] { return raft_node(&c, n); });
  const WorldFaults faults = pick_faults(world, mix, how);
  std::vector<int> acked;
  Task<void> load = create_task(writer(&c, &acked, now() + 5s), "writer");
  co_await world.run_faults(faults, 5s);
  co_await load;
  const int leader =
      co_await world.within(10s, write_until_acked(&c, 1'000'000), "a write after the faults");
  if (c.violation) throw Violation(*c.violation);
  // Everything acknowledged is in the log of the leader that took the last write.
  const Log& log = c.logs[c.names[leader]];
  for (int v : acked) {
    bool found = false;
    for (const Entry& e : log) found = found || e.value == v;
    if (!found)
      throw Violation("acknowledged write " + std::to_string(v) + " lost (leader " +
                      c.names[leader] + ")");
  }
}

WorldFaults raft_faults() {
  WorldFaults f;
  f.crash = 0.05;
  f.max_down = 1s;
  f.max_down_at_once = 2;
  f.partition = 0.1;
  f.max_partition = 1s;
  f.loss = 0.05;
  f.duplicate = 0.05;
  return f;
}

}  // namespace

Bug raft_vote_bug() {
  return {"raft-vote-not-persisted", "votedFor kept in memory only",
          "voter and leader crashes + concurrent candidates", raft_faults(),
          [](Variant v, Mix how) { return run(v == Variant::kFixed, true, raft_faults(), how); }};
}

Bug raft_stale_log_bug() {
  return {"raft-stale-log-leader", "voters skip the log up-to-date check",
          "partition + leader crash", raft_faults(),
          [](Variant v, Mix how) { return run(true, v == Variant::kFixed, raft_faults(), how); }};
}

}  // namespace lockstep::bugs
