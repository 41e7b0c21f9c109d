// SimFileSystem: the file system (loop/fs/file_system.h) of a simulated run. simulate()
// and replay() install one on every loop, so lockstep::file_system() works in any
// simulated test, and node code written against the file API runs unchanged on
// simulated disks (sim_disk.h: page cache, crashes, faults).
//
//   LOCKSTEP_TEST(Store, KeepsWhatItSynced) {
//     lockstep::SimFileSystem& sim = lockstep::sim_file_system();
//     sim.disk().set_faults({.fsync_error = 0.01});   // faults of the default disk
//     lockstep::FileSystem& fs = lockstep::file_system();   // the same object
//     ... co_await fs.open("data", "w") ...
//     sim.disk().crash();
//   }
//
// Disks have names; each is made on first use (with the default DiskOptions). Which
// disk an operation uses is the resolver's answer, asked when the operation is called
// (an open File stays on its disk): by default the one disk "". A simulation of several
// machines sets a resolver that names the calling machine's disk, so that each node
// has its own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loop/fs/file_system.h"
#include "sim/disk/sim_disk.h"

namespace lockstep {

class Loop;
class SimDecisions;

class SimFileSystem final : public FileSystem {
 public:
  // `decisions`: the simulation deciding crashes and faults (not owned); null: none.
  SimFileSystem(Loop& loop, SimDecisions* decisions, DiskOptions defaults = {});
  ~SimFileSystem() override;

  // The disk named `name`, made on first use with default_options().
  SimDisk& disk(const std::string& name = "");
  bool has_disk(const std::string& name) const { return disks_.count(name) != 0; }
  // Names of the disks made so far, sorted.
  std::vector<std::string> disk_names() const;
  // What disks made from now on start with.
  DiskOptions& default_options() noexcept { return defaults_; }

  // Picks the disk of the caller: called at every operation of this file system (not
  // of an open File, which stays on its disk). Empty function: always "".
  void set_disk_resolver(std::function<std::string()> resolver) { resolver_ = std::move(resolver); }
  // The disk the resolver names now.
  SimDisk& current_disk();

  Coro<void> rename(std::string from, std::string to) override;
  Coro<void> unlink(std::string path) override;
  Coro<void> mkdir(std::string path) override;
  Coro<void> rmdir(std::string path) override;
  Coro<std::vector<std::string>> list(std::string dir) override;
  Coro<FileStat> stat(std::string path) override;
  Coro<void> fsync_dir(std::string dir) override;
  const char* name() const noexcept override { return "simulated"; }

 protected:
  Coro<std::shared_ptr<OpenFile>> open_file(std::string path, OpenFlags flags) override;

 private:
  Loop& loop_;
  SimDecisions* sim_;
  DiskOptions defaults_;
  std::function<std::string()> resolver_;
  std::map<std::string, std::shared_ptr<SimDisk>> disks_;
};

// The running loop's SimFileSystem. Throws RuntimeError outside a running loop, or if
// its file system is not simulated.
SimFileSystem& sim_file_system();

}  // namespace lockstep
