// A replica of the kv store: leader election with persisted terms and votes, a replicated
// log on the node's disk (fsynced before it is acknowledged), and a state machine that
// applies each client request once, however often the client retries it. The protocol is
// Raft's core (elections, log matching, commit of the leader's own term's entries) over
// one stream connection per request, in lines:
//
//   VOTE <term> <candidate> <last index> <last term>            -> VOTED <term> <0|1>
//   APPEND <term> <leader> <prev index> <prev term> <commit> <n>
//     <n entry lines>                                           -> APPENDED <term> <0|1> <index>
//       (index: on success the last index the follower now matches; on refusal a hint
//       of where to go back to)
//   PUT <client> <seq> <key> <value> / GET <client> <seq> <key> -> OK <value|nil>
//                                                                  | REDIRECT <leader|->
//                                                                  | ERR <why>
//
// The same code runs as a process on real sockets and files (examples/kv/main.cc) and as
// a node of a simulated World (kv_sim_test):
//
//   auto node = std::make_shared<kv::Node>(bugs);
//   const std::uint16_t port = co_await node->listen("0.0.0.0", 7000);
//   co_await node->run({"n1:7000", "n2:7000", "n3:7000"}, /*self=*/0);   // until killed
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "examples/kv/bugs.h"
#include "examples/kv/storage.h"
#include "loop/lockstep.h"
#include "loop/net/streams.h"

namespace kv {

using namespace std::chrono_literals;

// Concurrency: the role, the term and vote, and the log change only with mu_ held (it is
// held across the disk writes), so a handler sees them stable between its awaits on
// the disk; whatever runs without it (replicate, a client's wait) checks role and term
// again after every suspension.
//
// Timing: a leader heartbeats every 50ms; a follower that hears nothing for its election
// timeout (300ms + 100ms per rank in the member list + a draw in [0, 300ms]) stands for
// election; an RPC gives up after 100ms.
inline constexpr lockstep::Duration kHeartbeat = 50ms;
inline constexpr lockstep::Duration kElectionTimeout = 300ms;
inline constexpr lockstep::Duration kElectionStagger = 100ms;
inline constexpr lockstep::Duration kRpcTimeout = 100ms;
// How long a leader waits for a client's entry to be applied before it answers ERR.
inline constexpr lockstep::Duration kClientWait = 1s;

class Node : public std::enable_shared_from_this<Node> {
 public:
  explicit Node(Bugs bugs = {}) : disk_(bugs) {}

  // Listens on host:port (0: a free port, returned). Requests wait until run() began.
  lockstep::Coro<std::uint16_t> listen(std::string host, std::uint16_t port);
  // Recovers from the disk and takes part in the cluster `members` ("host:port" each, the
  // same list on every node) as members[self]; runs until the node goes down.
  lockstep::Coro<void> run(std::vector<std::string> members, std::size_t self);

  // Called when this node wins an election, with the term and its own address: what a
  // test checks Raft's election safety with (at most one leader per term).
  using LeaderWatch = std::function<void(std::uint64_t term, const std::string& self)>;
  void watch_leadership(LeaderWatch watch) { on_leader_ = std::move(watch); }

 private:
  enum class Role { kFollower, kCandidate, kLeader };

  static lockstep::Coro<void> serve_connection(std::weak_ptr<Node> node,
                                               lockstep::StreamReader reader,
                                               lockstep::StreamWriter writer);
  lockstep::Coro<void> serve(lockstep::StreamReader reader, lockstep::StreamWriter writer);
  lockstep::Coro<std::string> on_vote(const std::vector<std::string>& f);
  lockstep::Coro<std::string> on_append(const std::vector<std::string>& f,
                                        std::vector<Entry> entries);
  lockstep::Coro<std::string> on_client(const std::vector<std::string>& f);

  lockstep::Coro<void> election_timer();
  // Stands for election if nothing was heard from a leader for `timeout`.
  lockstep::Coro<void> campaign(lockstep::Duration timeout);
  lockstep::Coro<void> replicate(std::size_t peer, std::uint64_t term);
  // A newer term seen: persist it (no vote yet) and follow. Call with mu_ held.
  lockstep::Coro<void> adopt_term(std::uint64_t term);
  void advance_commit();
  void apply();
  void notify();  // wakes whoever waits for progress (replication, clients)
  // A disk error: the node stops serving and run() ends with `why`.
  void fail_stop(std::exception_ptr why);
  struct Stopped {};
  lockstep::Coro<void> progress(lockstep::Duration at_most);

  bool majority(std::size_t count) const { return 2 * count > members_.size(); }
  const std::string& self() const { return members_[self_]; }

  Storage disk_;
  LeaderWatch on_leader_;
  lockstep::Lock mu_;         // held across every change of the disk's state
  lockstep::Event ready_;     // run() has recovered: requests may be served
  lockstep::Event stopped_;   // fail_stop() was called
  std::exception_ptr fatal_;  // why
  std::vector<std::string> members_;
  std::size_t self_ = 0;
  std::optional<lockstep::Server> server_;

  Role role_ = Role::kFollower;
  std::string leader_;                // the leader as last heard of ("" unknown)
  lockstep::TimePoint heard_{};       // last heard from a leader, or voted
  std::uint64_t commit_ = 0;          // highest index known committed
  std::uint64_t applied_ = 0;         // highest index applied to data_
  std::vector<std::uint64_t> next_;   // leader: per member, the next index to send
  std::vector<std::uint64_t> match_;  // leader: per member, the highest index it holds

  // The state machine: the map, and each client's last request and its result.
  std::map<std::string, std::int64_t> data_;
  struct Session {
    std::uint64_t seq = 0;
    std::optional<std::int64_t> result;
  };
  std::map<std::int64_t, Session> sessions_;
  std::map<std::uint64_t, std::optional<std::int64_t>> results_;  // by index, recent ones
  std::shared_ptr<lockstep::Event> changed_ = std::make_shared<lockstep::Event>();
};

// One request to `address` ("host:port") on a connection of its own; the reply line
// without its newline, or "" if the peer could not be reached or did not answer within
// `timeout`.
lockstep::Coro<std::string> call(std::string address, std::string request,
                                 lockstep::Duration timeout);

// "a b c" -> {"a", "b", "c"}.
std::vector<std::string> split(const std::string& line);

}  // namespace kv
