// A history of operations as clients observed them, for the linearizability checker
// (checker.h): who called what, when it was invoked, when (and how) it returned.
//
//   lockstep::lin::History h;
//   h.push_back({.id = 0, .client = 0, .f = "write", .args = {1},
//                .invoke = 0, .outcome = lockstep::lin::Outcome::kOk, .ret = 10});
//   h.push_back({.id = 1, .client = 1, .f = "read", .invoke = 5,
//                .outcome = lockstep::lin::Outcome::kOk, .ret = 12,
//                .result = lockstep::lin::Value(1)});
//   h.push_back({.id = 2, .client = 2, .f = "write", .args = {2}, .invoke = 11,
//                .outcome = lockstep::lin::Outcome::kInfo});   // timed out: unknown
//   lockstep::lin::validate(h);   // throws HistoryError naming the first problem
//
// The outcomes are Jepsen's: kOk (it happened, with this result), kFail (it certainly did
// not happen: the checker ignores it), kInfo (unknown: it may have taken effect at any
// time after its invocation, or never; its return time and result are ignored). Times
// are integers (nanoseconds of virtual time when a Recorder records them under a loop);
// an operation precedes another if and only if it returned strictly before the other
// was invoked. Nothing here depends on the loop or the simulation.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lockstep::lin {

// A history that cannot be checked: the message names the operation and the problem.
class HistoryError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class Outcome { kOk, kFail, kInfo };

// A value an operation returned: an integer, or nil (a read of a register never
// written, a dequeue from an empty queue).
using Value = std::optional<std::int64_t>;
inline constexpr Value kNil = std::nullopt;

struct Op {
  int id = 0;                      // unique within the history
  int client = 0;                  // the process that called it (a client calls one at a time)
  std::string f;                   // the operation: "read", "write", "cas", "enqueue", ...
  std::string key;                 // the key it is on, for partitioned models ("" if none)
  std::vector<std::int64_t> args;  // its inputs: write {v}, cas {from, to}, enqueue {v}
  std::int64_t invoke = 0;         // when it was called
  Outcome outcome = Outcome::kInfo;
  std::int64_t ret = 0;         // when it returned (kOk and kFail only)
  std::optional<Value> result;  // what it returned (kOk only; empty: nothing, as a write)
};

using History = std::vector<Op>;

// Throws HistoryError on the first problem: a duplicate id, a return before its
// invocation, a client with two operations at once, a result on an operation that did not
// return ok. Returns normally if the history can be checked.
void validate(const History& history);

// "#3 client 1 write(1) [10, 20] -> ok", "#4 client 0 read [12, ?] -> ?" (unknown).
std::string describe(const Op& op);
// "write(1)", "cas(1, 2)", "get[x]": the call without times or result.
std::string describe_call(const Op& op);
// "3", "nil".
std::string describe_value(const Value& value);

}  // namespace lockstep::lin
