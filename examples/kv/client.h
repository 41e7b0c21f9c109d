// A client of the kv store (examples/kv/node.h): it finds the leader (following
// REDIRECTs, trying the next member when one does not answer), retries a request until a
// deadline, and numbers its requests so that a retried put is applied once. It can record
// what it saw for the linearizability checker (sim/linearizability).
//
//   kv::Client c(/*id=*/1, {"n1:7000", "n2:7000", "n3:7000"}, &recorder);
//   co_await c.put("x", 3);
//   std::optional<std::int64_t> v = co_await c.get("x");   // nullopt: never written
//
// put/get throw Unavailable when no leader answered in time: the request may or may not
// have taken effect (it is recorded as unknown).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/linearizability/recorder.h"

namespace kv {

class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Client {
 public:
  // `id` > 0 must be unique among clients; `history` (not owned) may be null.
  Client(std::int64_t id, std::vector<std::string> members,
         lockstep::lin::Recorder* history = nullptr,
         lockstep::Duration deadline = std::chrono::seconds(2));

  lockstep::Coro<void> put(std::string key, std::int64_t value);
  lockstep::Coro<std::optional<std::int64_t>> get(std::string key);

 private:
  // Sends "<OP> <id> <seq> <rest>" until a leader answers OK; returns what follows "OK ".
  lockstep::Coro<std::string> request(std::string op, std::string rest);

  std::int64_t id_;
  std::vector<std::string> members_;
  lockstep::lin::Recorder* history_;
  lockstep::Duration deadline_;
  std::uint64_t seq_ = 0;
  std::size_t leader_ = 0;  // index of the member believed to lead
};

}  // namespace kv
