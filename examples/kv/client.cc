#include "examples/kv/client.h"

#include <algorithm>

#include "examples/kv/node.h"

namespace kv {

using lockstep::Coro;

Client::Client(std::int64_t id, std::vector<std::string> members, lockstep::lin::Recorder* history,
               lockstep::Duration deadline)
    : id_(id), members_(std::move(members)), history_(history), deadline_(deadline) {
  if (id_ <= 0) throw std::invalid_argument("kv::Client: the id must be positive");
  if (members_.empty()) throw std::invalid_argument("kv::Client: no members");
}

Coro<std::string> Client::request(std::string op, std::string rest) {
  // One number for every try of this request: the store applies it once.
  const std::string line =
      op + " " + std::to_string(id_) + " " + std::to_string(++seq_) + " " + rest + "\n";
  const lockstep::TimePoint give_up = lockstep::now() + deadline_;
  while (lockstep::now() < give_up) {
    const std::string reply = co_await call(members_[leader_], line, 300ms);
    if (reply.rfind("OK ", 0) == 0) co_return reply.substr(3);
    const std::vector<std::string> r = split(reply);
    if (r.size() == 2 && r[0] == "REDIRECT" && r[1] != "-") {
      const auto it = std::find(members_.begin(), members_.end(), r[1]);
      if (it != members_.end() && static_cast<std::size_t>(it - members_.begin()) != leader_) {
        leader_ = static_cast<std::size_t>(it - members_.begin());
        continue;  // straight to the leader it named
      }
    }
    // No answer, no leader known, or an error: the next member, after a pause.
    leader_ = (leader_ + 1) % members_.size();
    co_await lockstep::sleep(50ms);
  }
  throw Unavailable(
      "kv: no leader answered '" + line.substr(0, line.size() - 1) + "' within " +
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(deadline_).count()) +
      "ms");
}

Coro<void> Client::put(std::string key, std::int64_t value) {
  const int op = history_ ? history_->invoke(static_cast<int>(id_), "put", {value}, key) : -1;
  try {
    std::string rest = key + " " + std::to_string(value);
    co_await request("PUT", std::move(rest));
  } catch (const Unavailable&) {
    if (history_) history_->info(op);  // it may have been applied: unknown
    throw;
  }
  if (history_) history_->ok(op);
}

Coro<std::optional<std::int64_t>> Client::get(std::string key) {
  const int op = history_ ? history_->invoke(static_cast<int>(id_), "get", {}, key) : -1;
  std::string reply;
  try {
    reply = co_await request("GET", key);
  } catch (const Unavailable&) {
    // A read changes nothing: one whose answer never came can be left out of the history
    // (Jepsen records it as failed), which spares the checker an unknown operation.
    if (history_) history_->fail(op);
    throw;
  }
  const std::optional<std::int64_t> value =
      reply == "nil" ? std::nullopt : std::optional<std::int64_t>(std::stoll(reply));
  if (history_) history_->ok(op, lockstep::lin::Value(value));
  co_return value;
}

}  // namespace kv
