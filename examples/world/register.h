// A replicated register on three nodes, and a client that writes and reads it: the
// world example (examples/world/register_main.cc, README "A distributed system under
// faults").
//
// Each replica keeps (version, value) and answers two requests on port 7000:
//   "WRITE <version> <value>\n" -> keeps it if newer, replies "OK\n"
//   "READ\n"                    -> replies "VALUE <version> <value>\n"
// The client writes to every replica and counts a write done once a majority said OK.
// Reading is where the bug lives: the quick read asks one replica (the nearest) and
// believes it; the quorum read asks a majority and takes the newest answer. Under a
// partition the nearest replica may have missed the last write: a read that starts after
// a write was acknowledged returns an older value.
#pragma once

#include <cstdint>
#include <string>

#include "loop/lockstep.h"
#include "sim/world/world.h"

namespace register_example {

enum class ReadMode { kNearest, kQuorum };

struct Versioned {
  std::uint64_t version = 0;
  std::string value;
};

// A replica: serves the register on port 7000 until its node goes down. Its state lives
// in the node's memory (a restart begins empty).
lockstep::Coro<void> replica();

// The client: writes `value` as `version` to a majority (retrying each replica until it
// answers), then reads back as `mode` says.
lockstep::Coro<void> write(std::uint64_t version, std::string value);
lockstep::Coro<Versioned> read(ReadMode mode);

// One run: three replicas under partitions and message loss; the client writes versions
// 1..n and after each write reads; a read older than the write before it fails the run
// ("stale read: wrote version 4, then read version 3"). Ends with a liveness check.
lockstep::Coro<void> scenario(ReadMode mode);

}  // namespace register_example
