// SimDisk: one machine's simulated disk, with a page cache between the file API and the
// platters. What a crash of that machine keeps, loses or tears is a decision of the
// simulation, and so are the faults it injects.
//
//   LOCKSTEP_TEST(Wal, AcknowledgedEntriesSurviveACrash) {
//     lockstep::SimDisk& disk = lockstep::sim_file_system().disk();
//     lockstep::FileSystem& fs = lockstep::file_system();
//     lockstep::File wal = co_await fs.open("wal", "a");
//     co_await fs.fsync_dir(".");               // the name "wal" is durable
//     co_await wal.append("entry 1\n");
//     co_await wal.fsync();                     // acknowledged: durable
//     co_await wal.append("entry 2\n");         // in the page cache only
//     disk.crash();                             // power loss: a decision per file
//     std::string after = (co_await (co_await fs.open("wal")).read_all());
//     CO_ASSERT_TRUE(after.starts_with("entry 1\n"));   // always; entry 2 kept, lost or torn
//   }
//
// The model (Linux with ext4's guarantees and no more, as the ALICE study describes them):
//   - A file's data: writes (and truncates) go to the page cache, where reads see them;
//     File::fsync makes them durable. Each file keeps its durable bytes and the writes
//     since its last fsync.
//   - A directory's entries: creates, renames, unlinks, mkdir and rmdir change the cached
//     namespace at once; fsync_dir(d) makes those in d durable. A rename between two
//     directories is one change of both: it is durable once either directory is synced,
//     and a crash keeps it only if it keeps both directories' changes.
//   - crash(): power loss. Every File opened before it is dead (EBADF); operations in
//     flight fail with EIO. Then, each a decision of kind disk_crash, named by disk and
//     path: for each directory with unsynced changes, kept (0) or undone (1); for each file
//     that survives with unsynced writes, kept (0), lost (1: back to its last fsync), or
//     torn (2 + k: every unsynced write but the last, and the last one's first k sectors of
//     512 bytes; a sector is written whole or not at all). A file or directory whose name
//     does not survive is gone, with its data. Durable data and names survive every crash
//     exactly. Value 0 everywhere is the crash that loses nothing.
//   - Time: every operation takes virtual time (DiskOptions: a page-cache latency, a
//     longer one for fsync), through the loop's timers, so operations of different tasks
//     interleave. Its effect happens when it completes, even if its caller was cancelled
//     meanwhile (I/O in flight completes).
//   - Faults (DiskFaults; none by default), each a decision drawn only when its rate is
//     set: extra latency (disk_latency), EIO on a write or an fsync, ENOSPC on a write
//     that grows a file, a latent sector error on a read (disk_error), plus a capacity in
//     bytes past which growing writes fail with ENOSPC (no decision: the disk is full).
//     An fsync that fails with EIO behaves as Linux's does since 4.13: the writes it did
//     not persist are no longer dirty, so a retried fsync succeeds without them and a
//     crash loses them (PostgreSQL's "fsyncgate"). A latent sector error makes one sector
//     of the range read unreadable (EIO on every read of it) until a write covers it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loop/clock.h"
#include "loop/fs/file_system.h"
#include "loop/future.h"

namespace lockstep {

class Loop;
class SimDecisions;

// Faults a simulated disk injects. Each rate is a probability per operation; 0 (the
// default) draws no decision at all.
struct DiskFaults {
  // Each write, truncate, fsync and fsync_dir takes, with this probability, an extra
  // latency uniform in [1ns, max_latency] (a disk_latency decision).
  double latency_probability = 0;
  Duration max_latency = std::chrono::milliseconds(20);
  // EIO on a write or truncate (nothing is written).
  double write_error = 0;
  // EIO on an fsync or fsync_dir (see the header: a failed fsync drops the writes).
  double fsync_error = 0;
  // ENOSPC on a write or truncate that grows a file, even with room left.
  double no_space = 0;
  // Bytes of file data the disk holds (the sizes of the files that have a name): a write
  // past it fails with ENOSPC. 0: unlimited.
  std::uint64_t capacity = 0;
  // A latent sector error on a read: one sector of the range read goes bad (EIO).
  double read_error = 0;
};

struct DiskOptions {
  // What a read, a write (to the page cache) or a namespace change takes.
  Duration io_latency = std::chrono::microseconds(10);
  // What an fsync or fsync_dir takes (a flush to the device).
  Duration fsync_latency = std::chrono::microseconds(500);
  DiskFaults faults;
};

class SimDisk : public std::enable_shared_from_this<SimDisk> {
 public:
  static constexpr std::uint64_t kSectorSize = 512;

  // `decisions`: the simulation deciding crashes and faults (not owned); null: no faults
  // and crashes that lose nothing. `name`: the disk's name in decision sites ("n2").
  SimDisk(Loop& loop, SimDecisions* decisions, std::string name, DiskOptions options = {});
  ~SimDisk();
  SimDisk(const SimDisk&) = delete;
  SimDisk& operator=(const SimDisk&) = delete;

  const std::string& name() const noexcept { return name_; }
  DiskOptions& options() noexcept { return options_; }
  void set_faults(const DiskFaults& faults) { options_.faults = faults; }

  // Power loss (see the header). Makes its decisions now, in the running task.
  void crash();
  // Crashes so far.
  std::uint64_t crashes() const noexcept { return crashes_; }

  // Inspection, for tests and invariants: no time passes, nothing is decided.
  // What a read of `path` would return now (nullopt: no such file).
  std::optional<std::string> contents(const std::string& path) const;
  // What of `path` survives every crash: its durable bytes if its name is durable.
  std::optional<std::string> durable_contents(const std::string& path) const;
  // True iff some file has unsynced writes or some directory unsynced changes.
  bool has_unsynced() const noexcept;
  // Bytes of file data, as counted against DiskFaults::capacity.
  std::uint64_t used_bytes() const noexcept { return used_; }

  // The operations of FileSystem on this disk (SimFileSystem forwards to them).
  Coro<std::shared_ptr<OpenFile>> open(std::string path, OpenFlags flags);
  Coro<void> rename(std::string from, std::string to);
  Coro<void> unlink(std::string path);
  Coro<void> mkdir(std::string path);
  Coro<void> rmdir(std::string path);
  Coro<std::vector<std::string>> list(std::string dir);
  Coro<FileStat> stat(std::string path);
  Coro<void> fsync_dir(std::string dir);

 private:
  friend class SimOpenFile;
  struct DataOp {
    bool truncate = false;     // a truncate to `offset` bytes, else a write
    std::uint64_t offset = 0;  // where the write starts, or the truncated size
    std::string data;          // what the write wrote
  };
  struct Inode {
    std::uint64_t id = 0;
    bool is_dir = false;
    std::uint64_t parent = 0;  // the directory holding its current name (0: none)
    std::string leaf;          // that name
    std::string last_path;     // its path when last named: for decision sites once unlinked
    bool linked = false;       // it has a name in the cached namespace
    // Files.
    std::string data;                     // what reads see: the page cache
    std::string durable;                  // what is on the device
    std::vector<DataOp> unsynced;         // writes since the last fsync, in order
    std::set<std::uint64_t> bad_sectors;  // latent sector errors (sector numbers)
    // Directories: the cached entries.
    std::map<std::string, std::uint64_t> entries;
  };
  // A change of the namespace not yet durable.
  struct NsOp {
    enum class Kind : std::uint8_t { kLink, kUnlink, kRename } kind;
    std::uint64_t dir;       // the directory changed (for kRename: the source)
    std::string name;        // the entry
    std::uint64_t dir2 = 0;  // kRename: the target directory
    std::string name2;       // kRename: the target entry
    std::uint64_t inode;     // the inode named (linked, unlinked or moved)
  };

  // Schedules `effect` (run on the loop when `latency` has passed) and returns its result.
  template <class T, class Effect>
  Future<T> submit(Duration latency, Effect effect);
  // The latency of an operation: io or fsync latency plus a decided extra when latency
  // faults are on. `what`: "write to 'wal'" (for the site).
  Duration latency(bool flush, const std::string& what);
  // True iff the fault of rate `rate` fires (a disk_error decision at site `what`).
  bool inject(double rate, const std::string& what);
  std::uint64_t site(const std::string& name);
  std::string disk_text() const;  // "disk 'n2'" (or "disk" for the unnamed one)

  Inode& node(std::uint64_t id) { return *inodes_.at(id); }
  const Inode& node(std::uint64_t id) const { return *inodes_.at(id); }
  std::string path_of(const Inode& n) const;
  // The inode at `parts` (root for none), or an OSError (ENOENT, ENOTDIR) naming op/path.
  Inode& lookup(const std::vector<std::string>& parts, const char* op, const std::string& path);
  // The directory holding the last component of `parts` (which must not be empty).
  Inode& parent_dir(const std::vector<std::string>& parts, const char* op, const std::string& path);
  std::uint64_t new_inode(bool is_dir);
  void link(Inode& dir, const std::string& leaf, Inode& n);
  void unlink_entry(Inode& dir, const std::string& leaf);
  // Drops a file nothing refers to any more: no name, cached or durable, no pending
  // change, no open handle.
  void forget_if_unused(std::uint64_t id);
  // Makes `op` durable; adds the inodes that may have lost their last durable name.
  void apply_durable(const NsOp& op, std::vector<std::uint64_t>* unnamed);
  void persist_dir(std::uint64_t dir);  // fsync_dir's effect
  // File data.
  void write_data(Inode& f, std::uint64_t offset, std::string data);
  void truncate_data(Inode& f, std::uint64_t size);
  // ENOSPC if growing `f` to `new_size` does not fit (or `injected`).
  void check_space(const Inode& f, std::uint64_t new_size, bool injected, const char* op,
                   const std::string& path);
  // A read; `bad`: 1 + a sector that went bad just now, or 0.
  std::string read_data(Inode& f, std::uint64_t offset, std::size_t n, std::uint64_t bad,
                        const std::string& path);
  static void apply(std::string& data, const DataOp& op);
  void recover_namespace();
  void recover_file(Inode& f);

  Loop& loop_;
  SimDecisions* sim_;
  std::string name_;
  DiskOptions options_;
  std::map<std::uint64_t, std::shared_ptr<Inode>> inodes_;  // by id; 1 is the root
  std::map<std::uint64_t, std::map<std::string, std::uint64_t>> durable_dirs_;  // durable entries
  std::map<std::uint64_t, std::uint64_t> durable_links_;  // inode -> durable names of it
  std::vector<NsOp> pending_;  // namespace changes not yet durable, in order
  std::uint64_t next_inode_ = 2;
  std::uint64_t epoch_ = 0;  // crashes so far: handles and operations of an older one fail
  std::uint64_t crashes_ = 0;
  std::uint64_t used_ = 0;
};

}  // namespace lockstep
