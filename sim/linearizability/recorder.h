// Records a history (history.h) as clients run, in Jepsen's style: invoke before the call,
// then ok, fail or info (unknown) when it ends.
//
//   lockstep::lin::Recorder rec(lockstep::lin::loop_clock());   // loop_clock.h: virtual time
//   int id = rec.invoke(/*client=*/1, "write", {3});
//   try {
//     co_await client.write(3);
//     rec.ok(id);
//   } catch (const lockstep::TimeoutError&) {
//     rec.info(id);                  // it may or may not have happened
//   }
//   int r = rec.invoke(1, "read");
//   rec.ok(r, lockstep::lin::Value(co_await client.read()));   // or lockstep::lin::kNil
//   lockstep::lin::History h = rec.history();
//
// Without a clock, use the *_at forms with explicit times. Operations still running when
// history() is called are reported with an unknown outcome. Completing an unknown id,
// or one already completed, throws HistoryError.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/linearizability/history.h"

namespace lockstep::lin {

class Recorder {
 public:
  using Clock = std::function<std::int64_t()>;

  Recorder() = default;  // no clock: only the *_at forms
  explicit Recorder(Clock clock) : clock_(std::move(clock)) {}

  // Returns the new operation's id (0, 1, 2, ... in invocation order).
  int invoke(int client, std::string f, std::vector<std::int64_t> args = {}, std::string key = {});
  int invoke_at(std::int64_t time, int client, std::string f, std::vector<std::int64_t> args = {},
                std::string key = {});
  // It happened, returning `result` (none for an operation that returns nothing).
  void ok(int id, std::optional<Value> result = std::nullopt);
  void ok_at(std::int64_t time, int id, std::optional<Value> result = std::nullopt);
  // It certainly did not happen.
  void fail(int id);
  void fail_at(std::int64_t time, int id);
  // Unknown: it may have happened, at any time after its invocation, or not at all.
  void info(int id);

  History history() const;
  std::size_t size() const { return ops_.size(); }

 private:
  std::int64_t now() const;
  Op& pending(int id);

  Clock clock_;
  std::vector<Op> ops_;     // by id
  std::vector<bool> done_;  // by id: completed (ok, fail or info)
};

}  // namespace lockstep::lin
