// two-phase-commit-unilateral-abort: a coordinator "co" runs transactions over streams
// with participants "p1" and "p2": prepare (each persists "prepared" and votes yes),
// decide (persisted), then commit or abort, resent every 200ms until acknowledged. The
// buggy participant that has voted yes and hears nothing for 1.5s aborts on its own; the
// fixed one asks the coordinator, which answers from its decisions (and decides abort
// for a transaction it has forgotten it was running). The coordinator must be out of
// reach longer than one fault lasts: a crash and a partition back to back.
#include <map>
#include <set>

#include "loop/lockstep.h"
#include "tests/world_bugs/bugs.h"
#include "tests/world_bugs/durable.h"

namespace lockstep::bugs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 7000;
constexpr Duration kInDoubt = 1500ms;
const std::vector<std::string>& participants() {
  static const std::vector<std::string> names{"p1", "p2"};
  return names;
}

enum class State { kPrepared, kCommitted, kAborted };

struct System {
  bool unilateral_abort = false;
  Durable<std::map<int, bool>> decisions;                      // the coordinator's: txn -> commit?
  std::map<std::string, Durable<std::map<int, State>>> parts;  // each participant's
  std::map<int, bool> told_client;                             // what the client heard
};

struct Coordinator {
  System* s;
  std::map<int, bool> decided;
  std::set<int> running;                              // collecting votes (in memory)
  std::map<std::string, std::set<int>> acknowledged;  // in memory: resent after a reboot
};

Coro<void> decide(Coordinator* co, int txn, bool commit) {
  co->decided[txn] = commit;
  co_await co->s->decisions.persist(co->decided);
}

Coro<void> deliver(Coordinator* co, std::string p, int txn) {
  const std::string what = co->decided.at(txn) ? "commit " : "abort ";
  auto reply = co_await tcp_call(p, kPort, what + std::to_string(txn), 200ms);
  if (reply && *reply == "ack") co->acknowledged[p].insert(txn);
}

Coro<std::string> coordinate(Coordinator* co, std::string line) {
  const std::vector<std::string> w = words(line);
  const int txn = std::stoi(w.at(1));
  if (w[0] == "status") {
    if (co->running.count(txn)) co_return "unknown";
    if (!co->decided.count(txn)) co_await decide(co, txn, false);  // presumed abort
    co_return co->decided.at(txn) ? "commit" : "abort";
  }
  co->running.insert(txn);  // "txn <id>"
  bool yes = true;
  for (const std::string& p : participants()) {
    auto vote = co_await tcp_call(p, kPort, "prepare " + std::to_string(txn), 300ms);
    yes = yes && vote && *vote == "yes";
  }
  co->running.erase(txn);
  if (!co->decided.count(txn)) co_await decide(co, txn, yes);
  for (const std::string& p : participants()) co_await deliver(co, p, txn);
  co_return co->decided.at(txn) ? "committed" : "aborted";
}

Coro<void> resend(Coordinator* co) {
  for (;;) {
    co_await sleep(200ms);
    for (const std::string& p : participants())
      for (const auto& [txn, commit] : co->decided)
        if (!co->acknowledged[p].count(txn)) co_await deliver(co, p, txn);
  }
}

Coro<void> coordinator(System* s) {
  Coordinator co{s, s->decisions.read(), {}, {}};
  Task<void> resending = create_task(resend(&co), "co/resend");
  const LineHandler handler = [&co](std::string line) { return coordinate(&co, std::move(line)); };
  co_await serve_lines(kPort, handler);
}

struct Participant {
  System* s;
  std::string name;
  std::map<int, State> states;
  std::map<int, TimePoint> prepared_at;  // in memory
};

Coro<void> set_state(Participant* p, int txn, State st) {
  p->states[txn] = st;
  co_await p->s->parts.at(p->name).persist(p->states);
}

Coro<std::string> participate(Participant* p, std::string line) {
  const std::vector<std::string> w = words(line);
  const int txn = std::stoi(w.at(1));
  if (w[0] == "prepare") {
    if (!p->states.count(txn)) {
      p->prepared_at[txn] = now();
      co_await set_state(p, txn, State::kPrepared);
    }
    co_return p->states.at(txn) == State::kAborted ? "no" : "yes";
  }
  const State final = w[0] == "commit" ? State::kCommitted : State::kAborted;
  if (!p->states.count(txn) || p->states.at(txn) == State::kPrepared)
    co_await set_state(p, txn, final);
  co_return "ack";
}

// A transaction prepared and not decided for kInDoubt: the buggy participant aborts it,
// the fixed one asks the coordinator.
Coro<void> in_doubt(Participant* p) {
  for (;;) {
    co_await sleep(100ms);
    std::vector<int> waiting;
    for (const auto& [txn, st] : p->states)
      if (st == State::kPrepared) waiting.push_back(txn);
    for (int txn : waiting) {
      if (!p->prepared_at.count(txn)) p->prepared_at[txn] = now();  // since the reboot
      if (now() - p->prepared_at[txn] < kInDoubt) continue;
      if (p->s->unilateral_abort) {
        co_await set_state(p, txn, State::kAborted);
        continue;
      }
      auto answer = co_await tcp_call("co", kPort, "status " + std::to_string(txn), 200ms);
      if (answer && (*answer == "commit" || *answer == "abort"))
        co_await set_state(p, txn, *answer == "commit" ? State::kCommitted : State::kAborted);
    }
  }
}

Coro<void> participant(System* s, std::string name) {
  Participant p{s, name, s->parts.at(name).read(), {}};
  Task<void> doubting = create_task(in_doubt(&p), name + "/in-doubt");
  const LineHandler handler = [&p](std::string line) { return participate(&p, std::move(line)); };
  co_await serve_lines(kPort, handler);
}

Coro<void> client(System* s, TimePoint until) {
  for (int txn = 1; now() < until; ++txn) {
    auto reply = co_await tcp_call("co", kPort, "txn " + std::to_string(txn), 3s);
    if (reply) s->told_client[txn] = *reply == "committed";
    co_await sleep(20ms);
  }
}

Coro<void> all_resolved(System* s) {
  for (;;) {
    bool done = true;
    for (const std::string& p : participants())
      for (const auto& [txn, st] : s->parts.at(p).read()) done = done && st != State::kPrepared;
    if (done) co_return;
    co_await sleep(50ms);
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
  System s;
  s.unilateral_abort = variant == Variant::kBuggy;
  for (const std::string& p : participants()) s.parts.emplace(p, Durable<std::map<int, State>>{});
  World world;
  world.add_node("co", [&s] { return coordinator(&s); });
  for (const std::string& p : participants())
    world.add_node(p, [&s, p] { return participant(&s, p); });
  const WorldFaults f = pick_faults(world, faults(), how);
  Task<void> load = create_task(client(&s, now() + 5s), "client");
  co_await world.run_faults(f, 5s);
  co_await load;
  co_await world.within(10s, all_resolved(&s), "resolving every transaction");
  const auto& a = s.parts.at("p1").read();
  const auto& b = s.parts.at("p2").read();
  for (const auto& [txn, st] : a) {
    auto it = b.find(txn);
    if (it != b.end() && it->second != st)
      throw Violation("transaction " + std::to_string(txn) + " committed at one participant, " +
                      "aborted at the other");
  }
  for (const auto& [txn, committed] : s.told_client) {
    if (!committed) continue;
    for (const auto* states : {&a, &b}) {
      auto it = states->find(txn);
      if (it == states->end() || it->second != State::kCommitted)
        throw Violation("transaction " + std::to_string(txn) +
                        " reported committed, not committed everywhere");
    }
  }
}

}  // namespace

Bug two_phase_commit_bug() {
  return {"2pc-unilateral-abort", "a prepared participant aborts on a timeout",
          "coordinator crash + crash or partition", faults(), run};
}

}  // namespace lockstep::bugs
