// RealFileSystem: the file API (file_system.h) over real POSIX files under a root
// directory. What node code uses in production.
//
//   lockstep::EpollDriver driver;
//   lockstep::Loop loop({.driver = &driver});
//   loop.set_file_system(std::make_shared<lockstep::RealFileSystem>("/var/lib/mynode"));
//   ... lockstep::file_system().open("wal", "a") opens /var/lib/mynode/wal ...
//
// Every call is a system call or a few (openat, pread, pwrite, fsync, renameat, ...) run
// on the loop's default executor (run_in_executor), so the loop never blocks on the disk.
// Paths resolve against a descriptor of the root opened at construction (the *at() calls):
// renaming the root's path later does not move the files. Operations on one File run one
// at a time (a mutex per file), in the order their jobs start; list() is sorted.
//
// Under virtual time (a loop on a VirtualDriver with a RealFileSystem installed by hand)
// each call still runs on a thread and completes at a decided virtual moment
// (run_in_executor's contract): fine for tools, but a simulation should use the simulated
// disk (sim/disk/), whose crashes and faults are decisions.
#pragma once

#include <memory>
#include <string>

#include "loop/fs/file_system.h"

namespace lockstep {

class RealFileSystem final : public FileSystem {
 public:
  // Files under `root` (a directory that must exist; relative to the current directory
  // unless absolute). Throws OSError (ENOENT, ENOTDIR, EACCES) if it cannot be opened.
  explicit RealFileSystem(std::string root = ".");
  ~RealFileSystem() override;
  RealFileSystem(const RealFileSystem&) = delete;
  RealFileSystem& operator=(const RealFileSystem&) = delete;

  Coro<void> rename(std::string from, std::string to) override;
  Coro<void> unlink(std::string path) override;
  Coro<void> mkdir(std::string path) override;
  Coro<void> rmdir(std::string path) override;
  Coro<std::vector<std::string>> list(std::string dir) override;
  Coro<FileStat> stat(std::string path) override;
  Coro<void> fsync_dir(std::string dir) override;
  const char* name() const noexcept override { return "real"; }

  const std::string& root() const noexcept { return root_; }

 protected:
  Coro<std::shared_ptr<OpenFile>> open_file(std::string path, OpenFlags flags) override;

 private:
  std::string root_;
  // The root's descriptor, shared with the jobs (which may outlive this object when
  // their callers were cancelled).
  std::shared_ptr<const int> root_fd_;
};

}  // namespace lockstep
