// The bugs the kv example can plant (examples/kv): each a real mistake of replicated
// stores, off by default. The simulated sweep (kv_bugs_test) finds each one; the real
// binary takes them as flags (--bug=ack-before-fsync).
#pragma once

#include <stdexcept>
#include <string>

namespace kv {

struct Bugs {
  // The log is appended but not fsynced before the node acknowledges it (to the leader, or
  // to the client): a power loss can take back an entry a majority acknowledged.
  bool ack_before_fsync = false;
  // A vote is granted from memory and never written: after a restart the node can vote
  // again in the same term, and two leaders can be elected in one term.
  bool vote_not_persisted = false;

  // "ack-before-fsync", "vote-not-persisted" (std::invalid_argument for anything else).
  void plant(const std::string& name) {
    if (name == "ack-before-fsync")
      ack_before_fsync = true;
    else if (name == "vote-not-persisted")
      vote_not_persisted = true;
    else
      throw std::invalid_argument("kv: unknown bug '" + name +
                                  "' (ack-before-fsync or vote-not-persisted)");
  }
};

}  // namespace kv
