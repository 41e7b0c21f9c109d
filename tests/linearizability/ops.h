// Short constructors of operations for the tests: ok(), info(), fail() with times.
//
//   History h = {w(0, 0, 1, 0, 10), r(1, 1, Value(1), 5, 12), info(w(2, 2, 3, 11, 0))};
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/linearizability/history.h"

namespace lockstep::lin::testing {

inline Op make(int id, int client, std::string f, std::vector<std::int64_t> args,
               std::int64_t invoke, std::int64_t ret, std::optional<Value> result = std::nullopt,
               std::string key = {}) {
  Op op;
  op.id = id;
  op.client = client;
  op.f = std::move(f);
  op.key = std::move(key);
  op.args = std::move(args);
  op.invoke = invoke;
  op.outcome = Outcome::kOk;
  op.ret = ret;
  op.result = std::move(result);
  return op;
}
inline Op w(int id, int client, std::int64_t v, std::int64_t invoke, std::int64_t ret) {
  return make(id, client, "write", {v}, invoke, ret);
}
inline Op r(int id, int client, Value v, std::int64_t invoke, std::int64_t ret) {
  return make(id, client, "read", {}, invoke, ret, v);
}
inline Op cas(int id, int client, std::int64_t from, std::int64_t to, std::int64_t invoke,
              std::int64_t ret) {
  return make(id, client, "cas", {from, to}, invoke, ret);
}
inline Op info(Op op) {
  op.outcome = Outcome::kInfo;
  op.ret = 0;
  op.result.reset();
  return op;
}
inline Op fail(Op op) {
  op.outcome = Outcome::kFail;
  op.result.reset();
  return op;
}
inline Op on(std::string key, Op op) {
  op.key = std::move(key);
  return op;
}

}  // namespace lockstep::lin::testing
