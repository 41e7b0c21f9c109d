#include "sim/linearizability/recorder.h"

namespace lockstep::lin {

std::int64_t Recorder::now() const {
  if (!clock_)
    throw HistoryError(
        "recorder: no clock (construct it with one, e.g. loop_clock(), or use the *_at forms)");
  return clock_();
}

Op& Recorder::pending(int id) {
  if (id < 0 || static_cast<std::size_t>(id) >= ops_.size())
    throw HistoryError("recorder: no operation #" + std::to_string(id) + " was invoked");
  if (done_[id]) throw HistoryError("recorder: " + describe(ops_[id]) + " was already completed");
  return ops_[id];
}

int Recorder::invoke(int client, std::string f, std::vector<std::int64_t> args, std::string key) {
  return invoke_at(now(), client, std::move(f), std::move(args), std::move(key));
}

int Recorder::invoke_at(std::int64_t time, int client, std::string f,
                        std::vector<std::int64_t> args, std::string key) {
  Op op;
  op.id = static_cast<int>(ops_.size());
  op.client = client;
  op.f = std::move(f);
  op.key = std::move(key);
  op.args = std::move(args);
  op.invoke = time;
  ops_.push_back(std::move(op));
  done_.push_back(false);
  return ops_.back().id;
}

void Recorder::ok(int id, std::optional<Value> result) { ok_at(now(), id, std::move(result)); }

void Recorder::ok_at(std::int64_t time, int id, std::optional<Value> result) {
  Op& op = pending(id);
  if (time < op.invoke)
    throw HistoryError("recorder: " + describe(op) + " returned at " + std::to_string(time) +
                       ", before it was invoked");
  op.outcome = Outcome::kOk;
  op.ret = time;
  op.result = std::move(result);
  done_[id] = true;
}

void Recorder::fail(int id) { fail_at(now(), id); }

void Recorder::fail_at(std::int64_t time, int id) {
  Op& op = pending(id);
  if (time < op.invoke)
    throw HistoryError("recorder: " + describe(op) + " failed at " + std::to_string(time) +
                       ", before it was invoked");
  op.outcome = Outcome::kFail;
  op.ret = time;
  done_[id] = true;
}

void Recorder::info(int id) {
  pending(id).outcome = Outcome::kInfo;
  done_[id] = true;
}

History Recorder::history() const { return ops_; }

}  // namespace lockstep::lin
