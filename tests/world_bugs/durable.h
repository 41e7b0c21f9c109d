// Durable state for the bug set, until the world has disks: what a node keeps across a
// power loss. The test holds one Durable<T> per node outside the node, so it survives
// crashes; the node writes it only through persist(), which takes virtual time (an
// fsync) and stores nothing if the node loses power meanwhile (its task dies in the
// sleep). Everything else a node holds lives in its coroutines and is gone at a crash:
// "acknowledged before persisted" is then a bug a crash can expose.
//
//   Durable<Vote> disk;                                  // held by the test
//   world.add_node("n1", [&disk] { return replica(&disk); });
//   ...on the node:
//   Vote v = disk->read();                               // what a boot finds
//   co_await disk->persist(v);                           // then it is safe to reply
//
// One small header so that it can be swapped for the world's disk API later.
#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

#include "loop/coro.h"
#include "loop/sleep.h"

namespace lockstep::bugs {

template <class T>
class Durable {
 public:
  explicit Durable(T initial = {}, Duration fsync = std::chrono::milliseconds(10))
      : stable_(std::move(initial)), fsync_(fsync) {}

  // What is on disk: what a node finds when it boots.
  const T& read() const noexcept { return stable_; }
  // Writes `value` (the whole state) and waits for the fsync: on return it survives a
  // crash; if the node crashes before, nothing was written. Of overlapping persists the
  // one issued last wins, whichever fsync ends first (a later snapshot never loses to an
  // earlier one that the simulation happened to finish later).
  Coro<void> persist(T value) {
    const std::uint64_t seq = ++issued_;
    co_await sleep(fsync_);
    if (seq < stored_) co_return;
    stored_ = seq;
    stable_ = std::move(value);
  }

 private:
  T stable_;                  // survives crashes
  Duration fsync_;            // how long a persist takes
  std::uint64_t issued_ = 0;  // persists started
  std::uint64_t stored_ = 0;  // the newest persist stored
};

}  // namespace lockstep::bugs
