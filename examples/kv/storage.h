// What a kv node keeps on its disk (lockstep::file_system(): the node's own simulated disk,
// or a data directory on the real driver): its term and vote, and its log.
//
//   kv::Storage disk(bugs);
//   co_await disk.open();                         // recovery: what the last fsync left
//   co_await disk.save_term(5, "n2");             // durable before this returns
//   co_await disk.append({entry});                // appended and fsynced
//
// "meta" holds "<term> <voted for>\n" and is replaced atomically (write meta.tmp, fsync,
// rename, fsync the directory). "wal" holds one line per log entry (Entry::encode), each
// appended and then fsynced; a torn or half-written tail line (a crash in the middle of
// an append) is dropped at recovery. Callers serialize their calls (the node's lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "examples/kv/bugs.h"
#include "loop/fs/file_system.h"
#include "loop/lockstep.h"

namespace kv {

// One log entry: a client's command, or the no-op a new leader appends.
struct Entry {
  std::uint64_t term = 0;
  std::int64_t client = 0;  // 0 for the no-op
  std::uint64_t seq = 0;    // the client's request number: a retried request is applied once
  std::string op;           // "put", "get" or "noop"
  std::string key;          // "-" for the no-op
  std::int64_t value = 0;   // put's value

  // "<term> <client> <seq> <op> <key> <value>\n"
  std::string encode() const;
  // The entry `line` (without its newline) encodes, or nullopt if it is not one.
  static std::optional<Entry> decode(std::string_view line);
  friend bool operator==(const Entry&, const Entry&) = default;
};

class Storage {
 public:
  explicit Storage(Bugs bugs = {}) : bugs_(bugs) {}

  // Reads what the disk holds: the term, the vote and the log (a torn tail is cut off).
  lockstep::Coro<void> open();

  std::uint64_t term() const noexcept { return term_; }
  const std::string& voted_for() const noexcept { return voted_for_; }
  // Sets the term and vote, durably (unless the planted bug keeps a vote in memory only).
  lockstep::Coro<void> save_term(std::uint64_t term, std::string voted_for);

  // The log, index 1 first (entries()[i - 1] is entry i).
  const std::vector<Entry>& entries() const noexcept { return log_; }
  std::uint64_t last_index() const noexcept { return log_.size(); }
  std::uint64_t term_at(std::uint64_t index) const noexcept {
    return index == 0 || index > log_.size() ? 0 : log_[index - 1].term;
  }
  // Appends `entries` and fsyncs them (unless the planted bug acknowledges unsynced).
  lockstep::Coro<void> append(std::vector<Entry> entries);
  // The entries up to here are on the disk for good (all of them, with the planted bug):
  // what a leader may count as its own copy toward a majority.
  std::uint64_t durable_index() const noexcept { return durable_; }
  // Drops entries `from` and later (a follower's conflicting suffix), durably.
  lockstep::Coro<void> truncate_from(std::uint64_t from);

 private:
  Bugs bugs_;
  std::uint64_t term_ = 0;
  std::string voted_for_;
  std::vector<Entry> log_;
  std::vector<std::uint64_t> offsets_;  // where each entry's line starts in "wal"
  std::uint64_t wal_size_ = 0;
  std::uint64_t durable_ = 0;
  lockstep::File wal_;
};

}  // namespace kv
