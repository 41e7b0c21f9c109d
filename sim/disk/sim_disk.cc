#include "sim/disk/sim_disk.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <type_traits>

#include "loop/loop.h"
#include "sim/decision.h"
#include "sim/prng.h"
#include "sim/sim_decisions.h"
#include "sim/strategy.h"

namespace lockstep {

namespace {

using internal::split_path;
using internal::throw_fs_error;

constexpr std::uint64_t kRoot = 1;
constexpr std::uint64_t kSector = SimDisk::kSectorSize;

std::uint64_t text_site(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64-bit, as site_of
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string quoted(const std::string& path) { return "'" + (path.empty() ? "." : path) + "'"; }

// The disk's timers are its own: their timing is the operations' latency (decided as
// disk_latency), so the simulation decides no timer_delay for them.
struct ExactTimer {
  SimDecisions* sim;
  explicit ExactTimer(SimDecisions* s) : sim(s) {
    if (sim) sim->set_exact_timer(true);
  }
  ~ExactTimer() {
    if (sim) sim->set_exact_timer(false);
  }
  ExactTimer(const ExactTimer&) = delete;
  ExactTimer& operator=(const ExactTimer&) = delete;
};

}  // namespace

// Every effect below is a named lambda, never a temporary written inside a co_await: GCC
// 12 destroys such temporaries twice (docs/pitfalls.md).

// An open file of a SimDisk: the inode it refers to (which outlives its names, as POSIX
// has it) and the crash epoch it was opened in.
class SimOpenFile final : public OpenFile {
 public:
  using Inode = SimDisk::Inode;
  // What the operations' effects need, shared with them (they may outlive the handle).
  struct Handle {
    std::shared_ptr<SimDisk> disk;
    std::shared_ptr<Inode> inode;
    std::uint64_t epoch;
    std::string path;
    // EBADF for a handle from before the last crash.
    void alive(const char* op) const {
      if (disk->epoch_ != epoch)
        throw_fs_error(EBADF, op, path, "the file was open when " + disk->disk_text() + " crashed");
    }
  };

  explicit SimOpenFile(Handle h) : h_(std::make_shared<Handle>(std::move(h))) {}
  ~SimOpenFile() override {
    // An unlinked file's data goes with its last handle.
    const std::uint64_t id = h_->inode->id;
    std::shared_ptr<SimDisk> disk = h_->disk;
    h_.reset();
    disk->forget_if_unused(id);
  }

  Coro<std::string> read(std::uint64_t offset, std::size_t n) override {
    h_->alive("read");
    SimDisk& disk = *h_->disk;
    // A latent sector error: which sector of the range (as it stands now) goes bad.
    std::uint64_t bad = 0;  // 1 + the sector number, or 0
    const std::uint64_t size = h_->inode->data.size();
    if (disk.options_.faults.read_error > 0 && offset < size && n > 0) {
      const std::uint64_t end = offset + std::min<std::uint64_t>(n, size - offset);
      const std::uint64_t first = offset / kSector, sectors = (end - 1) / kSector - first + 1;
      if (disk.sim_) {
        const double p = disk.options_.faults.read_error;
        const std::uint64_t v = disk.sim_->choose_drawn(
            DecisionKind::kDiskError,
            disk.site(disk.disk_text() + ": latent sector error reading " + quoted(h_->path)),
            sectors + 1, [p, sectors](SplitMix64& rng) -> std::uint64_t {
              return draw_probability(rng, p) ? 1 + rng.below(sectors) : 0;
            });
        if (v > 0) bad = first + v;  // 1 + (first + v - 1)
      }
    }
    auto job = [h = h_, offset, n, bad]() {
      h->alive("read");
      return h->disk->read_data(*h->inode, offset, n, bad, h->path);
    };
    auto done = disk.submit<std::string>(disk.options_.io_latency, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<std::string> read_all() override { return read(0, SIZE_MAX); }
  Coro<void> write(std::uint64_t offset, std::string data) override {
    co_await write_at(offset, std::move(data), false);
  }
  Coro<std::uint64_t> append(std::string data) override {
    return write_at(0, std::move(data), true);
  }
  Coro<void> fsync() override {
    h_->alive("fsync");
    SimDisk& disk = *h_->disk;
    const std::string what = "fsync of " + quoted(h_->path);
    const Duration latency = disk.latency(true, what);
    const bool eio = disk.inject(disk.options_.faults.fsync_error, "EIO on " + what);
    auto job = [h = h_, eio] {
      h->alive("fsync");
      Inode& f = *h->inode;
      if (eio) {
        // Linux (since 4.13): the pages that failed to reach the device are marked clean
        // and the error is reported once; the data stays readable until a crash loses it.
        f.unsynced.clear();
        throw_fs_error(EIO, "fsync", h->path, "injected fault on " + h->disk->disk_text());
      }
      for (const SimDisk::DataOp& op : f.unsynced) SimDisk::apply(f.durable, op);
      f.unsynced.clear();
    };
    auto done = disk.submit<void>(latency, std::move(job));
    co_await std::move(done);
  }
  Coro<std::uint64_t> size() override {
    h_->alive("stat");
    auto job = [h = h_]() -> std::uint64_t {
      h->alive("stat");
      return h->inode->data.size();
    };
    auto done = h_->disk->submit<std::uint64_t>(h_->disk->options_.io_latency, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<void> truncate(std::uint64_t size) override {
    h_->alive("truncate");
    SimDisk& disk = *h_->disk;
    const std::string what = "truncate of " + quoted(h_->path);
    const Duration latency = disk.latency(false, what);
    const DiskFaults& faults = disk.options_.faults;
    const bool eio = disk.inject(faults.write_error, "EIO on " + what);
    const bool nospc =
        !eio && size > h_->inode->data.size() && disk.inject(faults.no_space, "ENOSPC on " + what);
    auto job = [h = h_, size, eio, nospc] {
      h->alive("truncate");
      if (eio)
        throw_fs_error(EIO, "truncate", h->path, "injected fault on " + h->disk->disk_text());
      h->disk->check_space(*h->inode, size, nospc, "truncate", h->path);
      h->disk->truncate_data(*h->inode, size);
    };
    auto done = disk.submit<void>(latency, std::move(job));
    co_await std::move(done);
  }
  Coro<void> close() override {
    h_->alive("close");
    auto job = [h = h_] { h->alive("close"); };
    auto done = h_->disk->submit<void>(h_->disk->options_.io_latency, std::move(job));
    co_await std::move(done);
  }

 private:
  Coro<std::uint64_t> write_at(std::uint64_t offset, std::string data, bool append) {
    h_->alive("write");
    SimDisk& disk = *h_->disk;
    const std::string what = "write to " + quoted(h_->path);
    const Duration latency = disk.latency(false, what);
    const DiskFaults& faults = disk.options_.faults;
    const bool eio = disk.inject(faults.write_error, "EIO on " + what);
    const bool grows = !data.empty() && (append || offset + data.size() > h_->inode->data.size());
    const bool nospc = !eio && grows && disk.inject(faults.no_space, "ENOSPC on " + what);
    auto job = [h = h_, offset, data = std::move(data), append, eio, nospc]() mutable {
      h->alive("write");
      if (eio) throw_fs_error(EIO, "write", h->path, "injected fault on " + h->disk->disk_text());
      Inode& f = *h->inode;
      const std::uint64_t at = append ? f.data.size() : offset;
      if (!data.empty())
        h->disk->check_space(f, std::max<std::uint64_t>(f.data.size(), at + data.size()), nospc,
                             "write", h->path);
      h->disk->write_data(f, at, std::move(data));
      return at;
    };
    auto done = disk.submit<std::uint64_t>(latency, std::move(job));
    co_return co_await std::move(done);
  }

  std::shared_ptr<Handle> h_;
};

SimDisk::SimDisk(Loop& loop, SimDecisions* decisions, std::string name, DiskOptions options)
    : loop_(loop), sim_(decisions), name_(std::move(name)), options_(options) {
  auto root = std::make_shared<Inode>();
  root->id = kRoot;
  root->is_dir = true;
  root->linked = true;
  inodes_.emplace(kRoot, std::move(root));
  durable_dirs_[kRoot];
}

SimDisk::~SimDisk() = default;

template <class T, class Effect>
Future<T> SimDisk::submit(Duration latency, Effect effect) {
  Future<T> fut(loop_);
  // The operation's own coroutine awaits this future; if that coroutine is destroyed
  // instead (its task ended without cancellation, as a crashed node's do), nobody will
  // read the failure, and nobody should hear of it.
  fut.base().retrieve_failure_in_advance();
  const std::uint64_t epoch = epoch_;
  ExactTimer exact(sim_);
  loop_.call_later(latency, [self = shared_from_this(), fut, epoch,
                             effect = std::move(effect)]() mutable {
    if (fut.done()) {
      // Cancelled: the effect still happens (the I/O was in flight), unseen.
      if (self->epoch_ != epoch) return;
      try {
        effect();
      } catch (...) {
      }
      return;
    }
    try {
      if (self->epoch_ != epoch)
        throw_os_error(EIO, "the operation was in flight when " + self->disk_text() + " crashed");
      if constexpr (std::is_void_v<T>) {
        effect();
        fut.set_result();
      } else {
        fut.set_result(effect());
      }
    } catch (...) {
      fut.set_exception(std::current_exception());
    }
  });
  return fut;
}

std::string SimDisk::disk_text() const {
  return name_.empty() ? std::string("the disk") : "disk '" + name_ + "'";
}

std::uint64_t SimDisk::site(const std::string& name) {
  const std::uint64_t s = text_site(name);
  if (sim_) sim_->name_site(s, name);
  return s;
}

Duration SimDisk::latency(bool flush, const std::string& what) {
  Duration d = flush ? options_.fsync_latency : options_.io_latency;
  const DiskFaults& f = options_.faults;
  if (sim_ && f.latency_probability > 0 && f.max_latency > Duration::zero())
    d += sim_->choose_duration(DecisionKind::kDiskLatency, site(disk_text() + ": " + what),
                               f.max_latency, f.latency_probability);
  return d;
}

bool SimDisk::inject(double rate, const std::string& what) {
  return sim_ && rate > 0 &&
         sim_->choose_chance(DecisionKind::kDiskError, site(disk_text() + ": " + what), rate);
}

// ---------------------------------------------------------------------------------------
// The namespace.

std::string SimDisk::path_of(const Inode& n) const {
  if (n.id == kRoot) return "";
  if (!n.linked) return n.last_path;
  std::vector<const std::string*> parts;
  for (const Inode* p = &n; p->id != kRoot; p = &node(p->parent)) parts.push_back(&p->leaf);
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '/';
    out += **it;
  }
  return out;
}

SimDisk::Inode& SimDisk::lookup(const std::vector<std::string>& parts, const char* op,
                                const std::string& path) {
  Inode* n = &node(kRoot);
  for (const std::string& part : parts) {
    if (!n->is_dir) throw_fs_error(ENOTDIR, op, path);
    const auto it = n->entries.find(part);
    if (it == n->entries.end()) throw_fs_error(ENOENT, op, path);
    n = &node(it->second);
  }
  return *n;
}

SimDisk::Inode& SimDisk::parent_dir(const std::vector<std::string>& parts, const char* op,
                                    const std::string& path) {
  Inode& dir = lookup(std::vector<std::string>(parts.begin(), parts.end() - 1), op, path);
  if (!dir.is_dir) throw_fs_error(ENOTDIR, op, path);
  return dir;
}

std::uint64_t SimDisk::new_inode(bool is_dir) {
  auto n = std::make_shared<Inode>();
  n->id = next_inode_++;
  n->is_dir = is_dir;
  const std::uint64_t id = n->id;
  inodes_.emplace(id, std::move(n));
  if (is_dir) durable_dirs_[id];
  return id;
}

void SimDisk::link(Inode& dir, const std::string& leaf, Inode& n) {
  dir.entries[leaf] = n.id;
  n.parent = dir.id;
  n.leaf = leaf;
  n.linked = true;
  n.last_path = path_of(n);
  used_ += n.data.size();
}

void SimDisk::unlink_entry(Inode& dir, const std::string& leaf) {
  const auto it = dir.entries.find(leaf);
  Inode& n = node(it->second);
  dir.entries.erase(it);
  n.last_path = path_of(n);
  n.linked = false;
  n.parent = 0;
  used_ -= n.data.size();
}

void SimDisk::forget_if_unused(std::uint64_t id) {
  const auto it = inodes_.find(id);
  if (it == inodes_.end()) return;  // gone at a crash meanwhile
  const Inode& n = *it->second;
  if (n.is_dir || n.linked || it->second.use_count() > 1) return;
  if (const auto d = durable_links_.find(id); d != durable_links_.end() && d->second > 0) return;
  for (const NsOp& op : pending_)
    if (op.inode == id) return;  // a crash may still bring its name back
  inodes_.erase(it);
  durable_links_.erase(id);
}

void SimDisk::apply_durable(const NsOp& op, std::vector<std::uint64_t>* unnamed) {
  auto erase_entry = [&](std::uint64_t dir, const std::string& name) {
    const auto d = durable_dirs_.find(dir);
    if (d == durable_dirs_.end()) return;
    const auto it = d->second.find(name);
    if (it == d->second.end() || it->second != op.inode) return;
    d->second.erase(it);
    --durable_links_[op.inode];
  };
  auto set_entry = [&](std::uint64_t dir, const std::string& name) {
    auto& entries = durable_dirs_[dir];
    const auto [it, fresh] = entries.try_emplace(name, op.inode);
    if (!fresh) {
      if (it->second == op.inode) return;
      --durable_links_[it->second];  // replaced, as rename(2) replaces
      if (unnamed) unnamed->push_back(it->second);
      it->second = op.inode;
    }
    ++durable_links_[op.inode];
  };
  switch (op.kind) {
    case NsOp::Kind::kLink:
      set_entry(op.dir, op.name);
      break;
    case NsOp::Kind::kUnlink:
      erase_entry(op.dir, op.name);
      break;
    case NsOp::Kind::kRename:
      erase_entry(op.dir, op.name);
      set_entry(op.dir2, op.name2);
      break;
  }
  if (unnamed) unnamed->push_back(op.inode);
}

void SimDisk::persist_dir(std::uint64_t dir) {
  std::vector<NsOp> rest;
  std::vector<std::uint64_t> unnamed;
  for (NsOp& op : pending_) {
    if (op.dir == dir || (op.kind == NsOp::Kind::kRename && op.dir2 == dir))
      apply_durable(op, &unnamed);
    else
      rest.push_back(std::move(op));
  }
  pending_ = std::move(rest);
  for (std::uint64_t id : unnamed) forget_if_unused(id);
}

Coro<std::shared_ptr<OpenFile>> SimDisk::open(std::string path, OpenFlags flags) {
  std::vector<std::string> parts = split_path(path, "open");
  auto job = [self = shared_from_this(), parts = std::move(parts), path,
              flags]() -> std::shared_ptr<OpenFile> {
    SimDisk& d = *self;
    const bool create = has(flags, OpenFlags::kCreate);
    const bool exclusive = has(flags, OpenFlags::kExclusive);
    if (parts.empty()) throw_fs_error(create && exclusive ? EEXIST : EISDIR, "open", path);
    Inode& dir = d.parent_dir(parts, "open", path);
    const std::string& leaf = parts.back();
    std::uint64_t id;
    if (const auto it = dir.entries.find(leaf); it != dir.entries.end()) {
      if (create && exclusive) throw_fs_error(EEXIST, "open", path);
      Inode& n = d.node(it->second);
      if (n.is_dir) throw_fs_error(EISDIR, "open", path);
      if (has(flags, OpenFlags::kTruncate)) d.truncate_data(n, 0);
      id = n.id;
    } else {
      if (!create) throw_fs_error(ENOENT, "open", path);
      id = d.new_inode(false);
      d.link(dir, leaf, d.node(id));
      d.pending_.push_back({NsOp::Kind::kLink, dir.id, leaf, 0, {}, id});
    }
    return std::make_shared<SimOpenFile>(
        SimOpenFile::Handle{self, d.inodes_.at(id), d.epoch_, path});
  };
  auto done = submit<std::shared_ptr<OpenFile>>(options_.io_latency, std::move(job));
  co_return co_await std::move(done);
}

Coro<void> SimDisk::rename(std::string from, std::string to) {
  std::vector<std::string> a = split_path(from, "rename"), b = split_path(to, "rename");
  auto job = [self = shared_from_this(), a = std::move(a), b = std::move(b), from, to] {
    SimDisk& d = *self;
    if (a.empty() || b.empty()) throw_fs_error(EBUSY, "rename", a.empty() ? from : to);
    Inode& sdir = d.parent_dir(a, "rename", from);
    const auto sit = sdir.entries.find(a.back());
    if (sit == sdir.entries.end()) throw_fs_error(ENOENT, "rename", from);
    Inode& src = d.node(sit->second);
    Inode& ddir = d.parent_dir(b, "rename", to);
    const auto dit = ddir.entries.find(b.back());
    std::uint64_t replaced = 0;
    if (dit != ddir.entries.end()) {
      if (dit->second == src.id) return;  // the same file: nothing to do (POSIX)
      replaced = dit->second;
    }
    if (src.is_dir) {
      for (std::uint64_t p = ddir.id; p != 0; p = d.node(p).parent)
        if (p == src.id) throw_fs_error(EINVAL, "rename", from, "into itself");
      if (replaced) {
        const Inode& t = d.node(replaced);
        if (!t.is_dir) throw_fs_error(ENOTDIR, "rename", to);
        if (!t.entries.empty()) throw_fs_error(ENOTEMPTY, "rename", to);
      }
    } else if (replaced && d.node(replaced).is_dir) {
      throw_fs_error(EISDIR, "rename", to);
    }
    if (replaced) d.unlink_entry(ddir, b.back());
    d.unlink_entry(sdir, a.back());
    d.link(ddir, b.back(), src);
    d.pending_.push_back({NsOp::Kind::kRename, sdir.id, a.back(), ddir.id, b.back(), src.id});
    if (replaced) d.forget_if_unused(replaced);
  };
  auto done = submit<void>(options_.io_latency, std::move(job));
  co_await std::move(done);
}

Coro<void> SimDisk::unlink(std::string path) {
  std::vector<std::string> parts = split_path(path, "unlink");
  auto job = [self = shared_from_this(), parts = std::move(parts), path] {
    SimDisk& d = *self;
    if (parts.empty()) throw_fs_error(EISDIR, "unlink", path);
    Inode& dir = d.parent_dir(parts, "unlink", path);
    const auto it = dir.entries.find(parts.back());
    if (it == dir.entries.end()) throw_fs_error(ENOENT, "unlink", path);
    const std::uint64_t id = it->second;
    if (d.node(id).is_dir) throw_fs_error(EISDIR, "unlink", path);
    d.unlink_entry(dir, parts.back());
    d.pending_.push_back({NsOp::Kind::kUnlink, dir.id, parts.back(), 0, {}, id});
    d.forget_if_unused(id);
  };
  auto done = submit<void>(options_.io_latency, std::move(job));
  co_await std::move(done);
}

Coro<void> SimDisk::mkdir(std::string path) {
  std::vector<std::string> parts = split_path(path, "mkdir");
  auto job = [self = shared_from_this(), parts = std::move(parts), path] {
    SimDisk& d = *self;
    if (parts.empty()) throw_fs_error(EEXIST, "mkdir", path);
    Inode& dir = d.parent_dir(parts, "mkdir", path);
    if (dir.entries.count(parts.back())) throw_fs_error(EEXIST, "mkdir", path);
    const std::uint64_t id = d.new_inode(true);
    d.link(dir, parts.back(), d.node(id));
    d.pending_.push_back({NsOp::Kind::kLink, dir.id, parts.back(), 0, {}, id});
  };
  auto done = submit<void>(options_.io_latency, std::move(job));
  co_await std::move(done);
}

Coro<void> SimDisk::rmdir(std::string path) {
  std::vector<std::string> parts = split_path(path, "rmdir");
  auto job = [self = shared_from_this(), parts = std::move(parts), path] {
    SimDisk& d = *self;
    if (parts.empty()) throw_fs_error(EBUSY, "rmdir", path, "the root");
    Inode& dir = d.parent_dir(parts, "rmdir", path);
    const auto it = dir.entries.find(parts.back());
    if (it == dir.entries.end()) throw_fs_error(ENOENT, "rmdir", path);
    const Inode& n = d.node(it->second);
    if (!n.is_dir) throw_fs_error(ENOTDIR, "rmdir", path);
    if (!n.entries.empty()) throw_fs_error(ENOTEMPTY, "rmdir", path);
    const std::uint64_t id = n.id;
    d.unlink_entry(dir, parts.back());
    d.pending_.push_back({NsOp::Kind::kUnlink, dir.id, parts.back(), 0, {}, id});
  };
  auto done = submit<void>(options_.io_latency, std::move(job));
  co_await std::move(done);
}

Coro<std::vector<std::string>> SimDisk::list(std::string dir) {
  std::vector<std::string> parts = split_path(dir, "list");
  auto job = [self = shared_from_this(), parts = std::move(parts), dir] {
    const Inode& n = self->lookup(parts, "list", dir);
    if (!n.is_dir) throw_fs_error(ENOTDIR, "list", dir);
    std::vector<std::string> names;
    names.reserve(n.entries.size());
    for (const auto& [name, id] : n.entries) names.push_back(name);  // a std::map: sorted
    return names;
  };
  auto done = submit<std::vector<std::string>>(options_.io_latency, std::move(job));
  co_return co_await std::move(done);
}

Coro<FileStat> SimDisk::stat(std::string path) {
  std::vector<std::string> parts = split_path(path, "stat");
  auto job = [self = shared_from_this(), parts = std::move(parts), path] {
    const Inode& n = self->lookup(parts, "stat", path);
    FileStat s;
    s.is_dir = n.is_dir;
    s.size = n.is_dir ? 0 : n.data.size();
    return s;
  };
  auto done = submit<FileStat>(options_.io_latency, std::move(job));
  co_return co_await std::move(done);
}

Coro<void> SimDisk::fsync_dir(std::string dir) {
  std::vector<std::string> parts = split_path(dir, "fsync_dir");
  const std::string what = "fsync of directory " + quoted(internal::join_path(parts));
  const Duration latency = this->latency(true, what);
  const bool eio = inject(options_.faults.fsync_error, "EIO on " + what);
  auto job = [self = shared_from_this(), parts = std::move(parts), dir, eio] {
    const Inode& n = self->lookup(parts, "fsync_dir", dir);
    if (!n.is_dir) throw_fs_error(ENOTDIR, "fsync_dir", dir);
    if (eio) throw_fs_error(EIO, "fsync_dir", dir, "injected fault on " + self->disk_text());
    self->persist_dir(n.id);
  };
  auto done = submit<void>(latency, std::move(job));
  co_await std::move(done);
}

// ---------------------------------------------------------------------------------------
// File data.

void SimDisk::apply(std::string& data, const DataOp& op) {
  if (op.truncate) {
    data.resize(op.offset, '\0');
    return;
  }
  const std::uint64_t end = op.offset + op.data.size();
  if (data.size() < end) data.resize(end, '\0');
  data.replace(op.offset, op.data.size(), op.data);
}

void SimDisk::check_space(const Inode& f, std::uint64_t new_size, bool injected, const char* op,
                          const std::string& path) {
  if (new_size <= f.data.size()) return;
  if (injected) throw_fs_error(ENOSPC, op, path, "injected fault on " + disk_text());
  const std::uint64_t capacity = options_.faults.capacity;
  if (capacity && f.linked && used_ + (new_size - f.data.size()) > capacity)
    throw_fs_error(ENOSPC, op, path,
                   disk_text() + " holds " + std::to_string(capacity) + " bytes, " +
                       std::to_string(used_) + " in use");
}

void SimDisk::write_data(Inode& f, std::uint64_t offset, std::string data) {
  if (data.empty()) return;
  const std::uint64_t before = f.data.size();
  DataOp op{false, offset, std::move(data)};
  apply(f.data, op);
  if (f.linked) used_ += f.data.size() - before;
  // A write over a bad sector remaps it (what drives do): it reads again.
  const std::uint64_t first = offset / kSector, last = (offset + op.data.size() - 1) / kSector;
  f.bad_sectors.erase(f.bad_sectors.lower_bound(first), f.bad_sectors.upper_bound(last));
  f.unsynced.push_back(std::move(op));
}

void SimDisk::truncate_data(Inode& f, std::uint64_t size) {
  if (size == f.data.size()) return;
  const std::uint64_t before = f.data.size();
  DataOp op{true, size, {}};
  apply(f.data, op);
  if (f.linked) used_ = used_ - before + f.data.size();
  f.bad_sectors.erase(f.bad_sectors.lower_bound((size + kSector - 1) / kSector),
                      f.bad_sectors.end());
  f.unsynced.push_back(std::move(op));
}

std::string SimDisk::read_data(Inode& f, std::uint64_t offset, std::size_t n, std::uint64_t bad,
                               const std::string& path) {
  if (bad > 0 && (bad - 1) * kSector < f.data.size()) f.bad_sectors.insert(bad - 1);
  if (offset >= f.data.size() || n == 0) return {};
  const std::uint64_t len = std::min<std::uint64_t>(n, f.data.size() - offset);
  const auto hit = f.bad_sectors.lower_bound(offset / kSector);
  if (hit != f.bad_sectors.end() && *hit <= (offset + len - 1) / kSector)
    throw_fs_error(
        EIO, "read", path,
        "latent sector error at byte " + std::to_string(*hit * kSector) + " on " + disk_text());
  return f.data.substr(offset, len);
}

// ---------------------------------------------------------------------------------------
// Crashes.

void SimDisk::crash() {
  ++epoch_;  // every handle and operation in flight from before is dead
  ++crashes_;
  // Directories with unsynced changes: kept or undone, each a decision (by inode number:
  // creation order, the same in every run).
  std::set<std::uint64_t> touched;
  for (const NsOp& op : pending_) {
    touched.insert(op.dir);
    if (op.kind == NsOp::Kind::kRename) touched.insert(op.dir2);
  }
  std::set<std::uint64_t> undone;
  for (std::uint64_t dir : touched) {
    const auto it = inodes_.find(dir);
    const std::string path = it != inodes_.end() ? path_of(*it->second) : std::string();
    const std::string name =
        "crash of " + disk_text() + ": unsynced changes to directory " + quoted(path);
    if (sim_ && sim_->choose_below(DecisionKind::kDiskCrash, site(name), 2) == 1)
      undone.insert(dir);
  }
  for (const NsOp& op : pending_) {
    const bool kept =
        !undone.count(op.dir) && (op.kind != NsOp::Kind::kRename || !undone.count(op.dir2));
    if (kept) apply_durable(op, nullptr);
  }
  pending_.clear();
  recover_namespace();
  // Files that survive: the fate of their unsynced writes.
  used_ = 0;
  for (auto& [id, n] : inodes_) {
    if (n->is_dir) continue;
    recover_file(*n);
    used_ += n->data.size();
  }
}

void SimDisk::recover_namespace() {
  // What survives is what the durable directories reach from the root.
  for (auto& [id, n] : inodes_) {
    n->linked = false;
    n->parent = 0;
    n->entries.clear();
  }
  std::map<std::uint64_t, std::shared_ptr<Inode>> reached;
  reached.emplace(kRoot, inodes_.at(kRoot));
  node(kRoot).linked = true;
  durable_links_.clear();
  std::deque<std::uint64_t> queue{kRoot};
  while (!queue.empty()) {
    const std::uint64_t dir = queue.front();
    queue.pop_front();
    auto& entries = durable_dirs_[dir];
    Inode& d = *reached.at(dir);
    for (auto it = entries.begin(); it != entries.end();) {
      const auto found = inodes_.find(it->second);
      if (found == inodes_.end() || reached.count(it->second)) {
        it = entries.erase(it);  // never made, or a second name: not a tree
        continue;
      }
      Inode& n = *found->second;
      reached.emplace(n.id, found->second);
      d.entries[it->first] = n.id;
      n.parent = dir;
      n.leaf = it->first;
      n.linked = true;
      durable_links_[n.id] = 1;
      if (n.is_dir) queue.push_back(n.id);
      ++it;
    }
  }
  inodes_ = std::move(reached);
  std::erase_if(durable_dirs_, [&](const auto& e) { return !inodes_.count(e.first); });
  for (auto& [id, n] : inodes_) n->last_path = path_of(*n);
}

void SimDisk::recover_file(Inode& f) {
  if (!f.unsynced.empty()) {
    const DataOp& last = f.unsynced.back();
    const std::uint64_t sectors =
        last.truncate ? 1
                      : (last.offset + last.data.size() - 1) / kSector - last.offset / kSector + 1;
    const std::uint64_t bound = 2 + sectors;
    std::uint64_t fate = 0;
    if (sim_) {
      const std::string name =
          "crash of " + disk_text() + ": unsynced writes to " + quoted(path_of(f));
      // A third each: kept, lost, torn (anywhere in the last write).
      fate = sim_->choose_drawn(DecisionKind::kDiskCrash, site(name), bound,
                                [bound](SplitMix64& rng) -> std::uint64_t {
                                  const std::uint64_t pick = rng.below(3);
                                  return pick < 2 ? pick : 2 + rng.below(bound - 2);
                                });
    }
    if (fate == 0) {
      for (const DataOp& op : f.unsynced) apply(f.durable, op);
    } else if (fate >= 2) {
      for (std::size_t i = 0; i + 1 < f.unsynced.size(); ++i) apply(f.durable, f.unsynced[i]);
      const std::uint64_t k = fate - 2;  // whole sectors of the last write that made it
      if (!last.truncate && k > 0) {
        const std::uint64_t end = last.offset + last.data.size();
        const std::uint64_t cut = std::min(end, (last.offset / kSector + k) * kSector);
        apply(f.durable, DataOp{false, last.offset, last.data.substr(0, cut - last.offset)});
      }
    }
  }
  f.unsynced.clear();
  f.data = f.durable;  // the page cache is gone
  f.bad_sectors.erase(f.bad_sectors.lower_bound((f.data.size() + kSector - 1) / kSector),
                      f.bad_sectors.end());
}

// ---------------------------------------------------------------------------------------
// Inspection.

std::optional<std::string> SimDisk::contents(const std::string& path) const {
  const Inode* n = &node(kRoot);
  for (const std::string& part : split_path(path, "contents")) {
    if (!n->is_dir) return std::nullopt;
    const auto it = n->entries.find(part);
    if (it == n->entries.end()) return std::nullopt;
    n = &node(it->second);
  }
  if (n->is_dir) return std::nullopt;
  return n->data;
}

std::optional<std::string> SimDisk::durable_contents(const std::string& path) const {
  std::uint64_t id = kRoot;
  for (const std::string& part : split_path(path, "durable_contents")) {
    const auto d = durable_dirs_.find(id);
    if (d == durable_dirs_.end()) return std::nullopt;
    const auto it = d->second.find(part);
    if (it == d->second.end()) return std::nullopt;
    id = it->second;
  }
  const auto n = inodes_.find(id);
  if (n == inodes_.end() || n->second->is_dir) return std::nullopt;
  return n->second->durable;
}

bool SimDisk::has_unsynced() const noexcept {
  if (!pending_.empty()) return true;
  for (const auto& [id, n] : inodes_)
    if (!n->unsynced.empty() || n->data != n->durable) return true;
  return false;
}

}  // namespace lockstep
