#include "examples/kv/node.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "loop/net/address.h"
#include "sim/random.h"

namespace kv {

using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;

namespace {

// Strict numbers: all digits (a sign only for signed ones), in range. std::stoull would
// take "-1" as 2^64-1 and "5x" as 5: a peer's garbage must not become a term.
template <class T>
std::optional<T> parse(const std::string& s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
// In a request: garbage is a bad request (an ERR reply).
std::uint64_t to_u64(const std::string& s) {
  if (auto v = parse<std::uint64_t>(s)) return *v;
  throw std::invalid_argument("not a number: '" + s + "'");
}
std::int64_t to_i64(const std::string& s) {
  if (auto v = parse<std::int64_t>(s)) return *v;
  throw std::invalid_argument("not a number: '" + s + "'");
}

std::string result_text(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "nil";
}

Coro<std::string> call_once(lockstep::Address to, std::string request) {
  auto [reader, writer] = co_await lockstep::open_connection(to.host, to.port);
  writer.write(request);
  std::string reply = co_await reader.readline();
  writer.close();
  if (reply.empty() || reply.back() != '\n') co_return "";  // the peer went away
  reply.pop_back();
  co_return reply;
}

Coro<void> wait_event(std::shared_ptr<lockstep::Event> e) { co_await e->wait(); }

}  // namespace

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ' ') {
      if (i > start) out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

Coro<std::string> call(std::string address, std::string request, lockstep::Duration timeout) {
  try {
    co_return co_await lockstep::wait_for(call_once(lockstep::Address::parse(address), request),
                                          timeout);
  } catch (const std::exception&) {
    // Refused, reset, timed out: the caller treats "" as no answer (CancelledError is not
    // a std::exception: a cancel still ends the caller).
  }
  co_return "";
}

Coro<void> Node::serve_connection(std::weak_ptr<Node> weak, StreamReader reader,
                                  StreamWriter writer) {
  // The frame holds the node: a crash destroys the frames of its tasks in any order, and
  // a guard's release in one of them must still find the node's lock.
  if (std::shared_ptr<Node> node = weak.lock())
    co_await node->serve(std::move(reader), std::move(writer));
}

Coro<std::uint16_t> Node::listen(std::string host, std::uint16_t port) {
  // Not a coroutine lambda: its captures would live in the std::function, not the frame.
  const lockstep::ClientConnected handler = [weak = weak_from_this()](StreamReader r,
                                                                      StreamWriter w) {
    return serve_connection(weak, std::move(r), std::move(w));
  };
  server_ = co_await lockstep::start_server(handler, std::move(host), port);
  co_return server_->port();
}

Coro<void> Node::run(std::vector<std::string> members, std::size_t self) {
  if (self >= members.size()) throw std::invalid_argument("kv: self is not a member");
  members_ = std::move(members);
  self_ = self;
  next_.assign(members_.size(), 1);
  match_.assign(members_.size(), 0);
  co_await disk_.open();
  heard_ = lockstep::now();
  ready_.set();
  lockstep::Task<void> timer = lockstep::create_task(election_timer());
  co_await stopped_.wait();
  timer.cancel();
  std::rethrow_exception(fatal_);
}

void Node::fail_stop(std::exception_ptr why) {
  // After a failed write or fsync the log in memory and the one on disk may differ (and a
  // failed fsync may have dropped pages: fsyncgate). Serving on would acknowledge what is
  // not durable; the only safe move is to stop, and recover from the disk at restart.
  if (fatal_) return;
  fatal_ = why;
  role_ = Role::kFollower;
  stopped_.set();
  notify();
}

Coro<void> Node::serve(StreamReader reader, StreamWriter writer) {
  co_await ready_.wait();
  std::string reply;
  try {
    std::string line = co_await reader.readline();
    if (line.empty() || line.back() != '\n') co_return;
    line.pop_back();
    const std::vector<std::string> f = split(line);
    if (fatal_) throw Stopped();
    if (f.size() == 5 && f[0] == "VOTE") {
      reply = co_await on_vote(f);
    } else if (f.size() == 7 && f[0] == "APPEND") {
      std::vector<Entry> entries;
      for (std::uint64_t i = 0, n = to_u64(f[6]); i < n; ++i) {
        std::string text = co_await reader.readline();
        if (text.empty() || text.back() != '\n') co_return;  // cut short: no answer
        text.pop_back();
        std::optional<Entry> e = Entry::decode(text);
        if (!e) throw std::invalid_argument("bad entry '" + text + "'");
        entries.push_back(std::move(*e));
      }
      reply = co_await on_append(f, std::move(entries));
    } else if ((f.size() == 5 && f[0] == "PUT") || (f.size() == 4 && f[0] == "GET")) {
      reply = co_await on_client(f);
    } else {
      reply = "ERR unknown request";
    }
  } catch (const Stopped&) {
    reply = "ERR the node stopped after a disk error";
  } catch (const std::logic_error& e) {  // garbage from a peer (or an overlong line): say so
    reply = std::string("ERR bad request: ") + e.what();
  } catch (const std::exception& e) {  // the disk failed: stop this node (see fail_stop)
    fail_stop(std::current_exception());
    reply = std::string("ERR disk: ") + e.what();
  }
  try {
    writer.write(reply + "\n");
    co_await writer.drain();
  } catch (const std::exception&) {  // the caller gave up and went away: nothing to tell
  }
  writer.close();
}

Coro<void> Node::adopt_term(std::uint64_t term) {
  co_await disk_.save_term(term, "");
  role_ = Role::kFollower;
  leader_.clear();
  notify();  // a leader's waiting clients learn it lost the term
}

Coro<std::string> Node::on_vote(const std::vector<std::string>& f) {
  const std::uint64_t term = to_u64(f[1]);
  const std::string& candidate = f[2];
  const std::uint64_t last_index = to_u64(f[3]), last_term = to_u64(f[4]);
  auto guard = co_await mu_.lock();
  if (term > disk_.term()) co_await adopt_term(term);
  const std::uint64_t my_last = disk_.last_index(), my_last_term = disk_.term_at(my_last);
  const bool up_to_date =
      last_term > my_last_term || (last_term == my_last_term && last_index >= my_last);
  const bool granted = term == disk_.term() &&
                       (disk_.voted_for().empty() || disk_.voted_for() == candidate) && up_to_date;
  if (granted) {
    co_await disk_.save_term(term, candidate);  // durable before the candidate hears yes
    heard_ = lockstep::now();
  }
  co_return "VOTED " + std::to_string(disk_.term()) + (granted ? " 1" : " 0");
}

Coro<std::string> Node::on_append(const std::vector<std::string>& f, std::vector<Entry> entries) {
  const std::uint64_t term = to_u64(f[1]);
  const std::string& leader = f[2];
  const std::uint64_t prev = to_u64(f[3]), prev_term = to_u64(f[4]), commit = to_u64(f[5]);
  auto guard = co_await mu_.lock();
  if (term < disk_.term())
    co_return "APPENDED " + std::to_string(disk_.term()) + " 0 " +
        std::to_string(disk_.last_index());
  if (term > disk_.term()) co_await adopt_term(term);
  role_ = Role::kFollower;
  leader_ = leader;
  heard_ = lockstep::now();
  if (prev > disk_.last_index() || disk_.term_at(prev) != prev_term)
    co_return "APPENDED " + std::to_string(term) + " 0 " +
        std::to_string(std::min(disk_.last_index(), prev == 0 ? 0 : prev - 1));
  // Skip what is already there; cut a conflicting suffix; append the rest.
  std::size_t k = 0;
  while (k < entries.size() && prev + 1 + k <= disk_.last_index() &&
         disk_.term_at(prev + 1 + k) == entries[k].term)
    ++k;
  if (k < entries.size()) {
    co_await disk_.truncate_from(prev + 1 + k);
    co_await disk_.append(
        std::vector<Entry>(entries.begin() + static_cast<std::ptrdiff_t>(k), entries.end()));
  }
  const std::uint64_t match = prev + entries.size();
  if (std::min(commit, match) > commit_) {  // a late duplicate APPEND must not lower it
    commit_ = std::min(commit, match);
    apply();
  }
  co_return "APPENDED " + std::to_string(term) + " 1 " + std::to_string(match);
}

Coro<std::string> Node::on_client(const std::vector<std::string>& f) {
  Entry e;
  e.op = f[0] == "PUT" ? "put" : "get";
  e.client = to_i64(f[1]);
  e.seq = to_u64(f[2]);
  e.key = f[3];
  if (e.op == "put") e.value = to_i64(f[4]);
  if (e.client <= 0 || e.seq == 0 || e.key == "-") co_return "ERR bad request";
  auto guard = co_await mu_.lock();
  if (role_ != Role::kLeader) co_return "REDIRECT " + (leader_.empty() ? "-" : leader_);
  // A retry of a request already applied: its result, without applying it again.
  if (auto it = sessions_.find(e.client); it != sessions_.end() && it->second.seq >= e.seq) {
    if (it->second.seq == e.seq) co_return "OK " + result_text(it->second.result);
    co_return "ERR stale request";
  }
  e.term = disk_.term();
  std::vector<Entry> one{e};  // named: g++ 12 and braced temporaries in co_await
  co_await disk_.append(std::move(one));
  const std::uint64_t index = disk_.last_index(), term = e.term;
  advance_commit();  // a cluster of one commits on its own copy
  notify();          // replicate it now
  guard.unlock();
  // Until it is applied, this node is no longer the leader of that term, or the client
  // has surely given up (a leader cut off from the majority waits no longer than that).
  const lockstep::TimePoint give_up = lockstep::now() + kClientWait;
  while (applied_ < index) {
    if (role_ != Role::kLeader || disk_.term() != term) co_return "ERR not the leader any more";
    if (lockstep::now() >= give_up) co_return "ERR not committed in time";
    co_await progress(kHeartbeat);
  }
  if (disk_.term_at(index) != term) co_return "ERR the entry was replaced";
  const auto it = results_.find(index);
  if (it == results_.end()) co_return "ERR the result is no longer kept";
  co_return "OK " + result_text(it->second);
}

Coro<void> Node::election_timer() {
  for (;;) {
    // A decision of the simulation (recorded, replayed, shrunk); real randomness in
    // production. Staggered by the member's rank as well: equal draws (the shrinker's
    // favourite) must not split the votes forever.
    const lockstep::Duration timeout =
        kElectionTimeout + kElectionStagger * self_ + lockstep::random_duration(kElectionTimeout);
    co_await lockstep::sleep(timeout);
    if (role_ == Role::kLeader || lockstep::now() - heard_ < timeout) continue;
    try {
      co_await campaign(timeout);
    } catch (const std::exception&) {  // the disk failed
      fail_stop(std::current_exception());
      co_return;
    }
  }
}

Coro<void> Node::campaign(lockstep::Duration timeout) {
  std::uint64_t term, last_index, last_term;
  {
    auto guard = co_await mu_.lock();
    // A leader may have been heard while this waited for the lock (its APPEND held it).
    if (role_ == Role::kLeader || fatal_ || lockstep::now() - heard_ < timeout) co_return;
    term = disk_.term() + 1;
    co_await disk_.save_term(term, self());
    role_ = Role::kCandidate;
    leader_.clear();
    heard_ = lockstep::now();
    last_index = disk_.last_index();
    last_term = disk_.term_at(last_index);
  }
  const std::string request = "VOTE " + std::to_string(term) + " " + self() + " " +
                              std::to_string(last_index) + " " + std::to_string(last_term) + "\n";
  std::vector<lockstep::Task<std::string>> asks;
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (i != self_) asks.push_back(lockstep::create_task(call(members_[i], request, kRpcTimeout)));
  std::size_t votes = 1;
  std::uint64_t newer = 0;
  for (auto& ask : asks) {
    const std::vector<std::string> r = split(co_await ask);
    const std::optional<std::uint64_t> their =
        r.size() == 3 && r[0] == "VOTED" ? parse<std::uint64_t>(r[1]) : std::nullopt;
    if (!their) continue;  // no answer, or garbage: no vote
    if (*their > term) newer = std::max(newer, *their);
    if (*their == term && r[2] == "1") ++votes;
  }
  auto guard = co_await mu_.lock();
  if (newer > disk_.term()) {
    co_await adopt_term(newer);
    co_return;
  }
  if (role_ != Role::kCandidate || disk_.term() != term || !majority(votes)) co_return;
  role_ = Role::kLeader;
  leader_ = self();
  if (on_leader_) on_leader_(term, self());
  std::fill(next_.begin(), next_.end(), disk_.last_index() + 1);
  std::fill(match_.begin(), match_.end(), 0);
  // A no-op of its own term: committing it commits every entry before it.
  std::vector<Entry> noop{Entry{term, 0, 0, "noop", "-", 0}};
  co_await disk_.append(std::move(noop));
  advance_commit();
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (i != self_) (void)lockstep::create_task(replicate(i, term));
}

Coro<void> Node::replicate(std::size_t peer, std::uint64_t term) {
  const std::shared_ptr<Node> keep = shared_from_this();  // a task of its own: see above
  while (role_ == Role::kLeader && disk_.term() == term) {
    // The request is built without a suspension: a consistent snapshot of the log.
    const std::uint64_t next = next_[peer], prev = next - 1;
    const std::uint64_t last = std::min<std::uint64_t>(disk_.last_index(), prev + 64);
    std::string entries;
    for (std::uint64_t i = next; i <= last; ++i) entries += disk_.entries()[i - 1].encode();
    const std::string request = "APPEND " + std::to_string(term) + " " + self() + " " +
                                std::to_string(prev) + " " + std::to_string(disk_.term_at(prev)) +
                                " " + std::to_string(commit_) + " " +
                                std::to_string(last >= next ? last - prev : 0) + "\n" + entries;
    const std::vector<std::string> r = split(co_await call(members_[peer], request, kRpcTimeout));
    if (role_ != Role::kLeader || disk_.term() != term) break;
    bool more = false;
    const std::optional<std::uint64_t> their_term =
        r.size() == 4 && r[0] == "APPENDED" ? parse<std::uint64_t>(r[1]) : std::nullopt;
    const std::optional<std::uint64_t> their_index =
        their_term ? parse<std::uint64_t>(r[3]) : std::nullopt;
    if (their_index) {  // else no answer, or garbage: try again after a heartbeat
      const std::uint64_t their = *their_term, index = *their_index;
      if (their > term) {
        auto guard = co_await mu_.lock();
        try {
          if (their > disk_.term()) co_await adopt_term(their);
        } catch (const std::exception&) {  // the disk failed
          fail_stop(std::current_exception());
        }
        break;
      }
      if (r[2] == "1") {
        match_[peer] = std::max(match_[peer], index);
        next_[peer] = std::max(next_[peer], index + 1);
        advance_commit();
      } else {
        next_[peer] = std::max<std::uint64_t>(1, std::min(next_[peer] - 1, index + 1));
      }
      more = next_[peer] <= disk_.last_index();
    }
    if (!more) co_await progress(kHeartbeat);
  }
}

void Node::advance_commit() {
  const std::uint64_t term = disk_.term();
  for (std::uint64_t n = disk_.last_index(); n > commit_ && disk_.term_at(n) == term; --n) {
    std::size_t copies = disk_.durable_index() >= n ? 1 : 0;
    for (std::size_t i = 0; i < members_.size(); ++i)
      if (i != self_ && match_[i] >= n) ++copies;
    if (majority(copies)) {
      commit_ = n;
      apply();
      return;
    }
  }
}

void Node::apply() {
  while (applied_ < commit_ && applied_ < disk_.last_index()) {
    const Entry& e = disk_.entries()[applied_];
    ++applied_;
    std::optional<std::int64_t> result;
    if (e.op != "noop") {
      Session& s = sessions_[e.client];
      if (e.seq <= s.seq) {
        result = e.seq == s.seq ? s.result : std::nullopt;  // a retry: applied once already
      } else {
        if (e.op == "put") {
          data_[e.key] = e.value;
        } else if (auto it = data_.find(e.key); it != data_.end()) {
          result = it->second;
        }
        s = {e.seq, result};
      }
    }
    results_[applied_] = result;
  }
  while (!results_.empty() && results_.begin()->first + 1000 < applied_)
    results_.erase(results_.begin());
  notify();
}

void Node::notify() {
  changed_->set();
  changed_ = std::make_shared<lockstep::Event>();
}

Coro<void> Node::progress(lockstep::Duration at_most) {
  try {
    co_await lockstep::wait_for(wait_event(changed_), at_most);
  } catch (const lockstep::TimeoutError&) {
  }
}

}  // namespace kv
