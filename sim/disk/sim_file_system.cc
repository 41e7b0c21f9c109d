#include "sim/disk/sim_file_system.h"

#include "loop/errors.h"
#include "loop/loop.h"

namespace lockstep {

SimFileSystem::SimFileSystem(Loop& loop, SimDecisions* decisions, DiskOptions defaults)
    : loop_(loop), sim_(decisions), defaults_(defaults) {}

SimFileSystem::~SimFileSystem() = default;

SimDisk& SimFileSystem::disk(const std::string& name) {
  auto [it, fresh] = disks_.try_emplace(name);
  if (fresh) it->second = std::make_shared<SimDisk>(loop_, sim_, name, defaults_);
  return *it->second;
}

std::vector<std::string> SimFileSystem::disk_names() const {
  std::vector<std::string> names;
  for (const auto& [name, d] : disks_) names.push_back(name);
  return names;
}

SimDisk& SimFileSystem::current_disk() { return disk(resolver_ ? resolver_() : std::string()); }

// Each forwards to the caller's disk, chosen now (at the call), not when first resumed.
Coro<std::shared_ptr<OpenFile>> SimFileSystem::open_file(std::string path, OpenFlags flags) {
  return current_disk().open(std::move(path), flags);
}
Coro<void> SimFileSystem::rename(std::string from, std::string to) {
  return current_disk().rename(std::move(from), std::move(to));
}
Coro<void> SimFileSystem::unlink(std::string path) {
  return current_disk().unlink(std::move(path));
}
Coro<void> SimFileSystem::mkdir(std::string path) { return current_disk().mkdir(std::move(path)); }
Coro<void> SimFileSystem::rmdir(std::string path) { return current_disk().rmdir(std::move(path)); }
Coro<std::vector<std::string>> SimFileSystem::list(std::string dir) {
  return current_disk().list(std::move(dir));
}
Coro<FileStat> SimFileSystem::stat(std::string path) {
  return current_disk().stat(std::move(path));
}
Coro<void> SimFileSystem::fsync_dir(std::string dir) {
  return current_disk().fsync_dir(std::move(dir));
}

SimFileSystem& sim_file_system() {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: sim_file_system() needs a running loop");
  auto* fs = dynamic_cast<SimFileSystem*>(loop->file_system());
  if (!fs)
    throw RuntimeError(
        "lockstep: this loop's file system is not simulated (run under lockstep::simulate(), "
        "which installs a SimFileSystem)");
  return *fs;
}

}  // namespace lockstep
