#include "loop/fs/real_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

#include "loop/run_in_executor.h"

namespace lockstep {

// Every job below is a named lambda, never a temporary written inside a co_await: GCC 12
// destroys such temporaries twice (docs/pitfalls.md).

namespace {

using internal::throw_fs_error;

// A path for the *at() calls: validated, normalized, "." for the root.
std::string at_path(const std::string& path, std::string_view op) {
  std::string p = internal::join_path(internal::split_path(path, op));
  return p.empty() ? "." : p;
}

// One open file's descriptor, shared by the File and the jobs working on it.
struct RealFileState {
  std::mutex mutex;  // one operation at a time on this descriptor
  int fd = -1;       // -1 once closed
  std::string path;  // for error messages
  RealFileState(int f, std::string p) : fd(f), path(std::move(p)) {}
  ~RealFileState() {
    if (fd >= 0) ::close(fd);  // the last handle went without close(): as CPython's FileIO
  }
  RealFileState(const RealFileState&) = delete;
  RealFileState& operator=(const RealFileState&) = delete;
  // The descriptor (mutex held), or EBADF: closed meanwhile by another copy's close().
  int open_fd(const char* op) const {
    if (fd < 0) throw_fs_error(EBADF, op, path, "the file is closed");
    return fd;
  }
};

std::uint64_t fd_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) throw_fs_error(errno, "stat", path);
  return static_cast<std::uint64_t>(st.st_size);
}

void pwrite_all(int fd, const std::string& data, std::uint64_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t r =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw_fs_error(errno, "write", path);
    }
    done += static_cast<std::size_t>(r);
  }
}

std::string pread_upto(int fd, std::uint64_t offset, std::size_t n, const std::string& path) {
  const std::uint64_t size = fd_size(fd, path);
  if (offset >= size) return {};
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size - offset));
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw_fs_error(errno, "read", path);
    }
    if (r == 0) break;  // shrunk meanwhile (another process)
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

class RealFile final : public OpenFile {
 public:
  explicit RealFile(std::shared_ptr<RealFileState> state) : s_(std::move(state)) {}

  Coro<std::string> read(std::uint64_t offset, std::size_t n) override {
    auto job = [s = s_, offset, n] {
      std::lock_guard lock(s->mutex);
      return pread_upto(s->open_fd("read"), offset, n, s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<std::string> read_all() override {
    auto job = [s = s_] {
      std::lock_guard lock(s->mutex);
      const int fd = s->open_fd("read");
      return pread_upto(fd, 0, static_cast<std::size_t>(fd_size(fd, s->path)), s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<void> write(std::uint64_t offset, std::string data) override {
    auto job = [s = s_, offset, data = std::move(data)] {
      std::lock_guard lock(s->mutex);
      pwrite_all(s->open_fd("write"), data, offset, s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_await std::move(done);
  }
  Coro<std::uint64_t> append(std::string data) override {
    auto job = [s = s_, data = std::move(data)] {
      std::lock_guard lock(s->mutex);
      const int fd = s->open_fd("write");
      const std::uint64_t at = fd_size(fd, s->path);  // under the mutex: no append between
      pwrite_all(fd, data, at, s->path);
      return at;
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<void> fsync() override {
    auto job = [s = s_] {
      std::lock_guard lock(s->mutex);
      if (::fsync(s->open_fd("fsync")) < 0) throw_fs_error(errno, "fsync", s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_await std::move(done);
  }
  Coro<std::uint64_t> size() override {
    auto job = [s = s_] {
      std::lock_guard lock(s->mutex);
      return fd_size(s->open_fd("stat"), s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_return co_await std::move(done);
  }
  Coro<void> truncate(std::uint64_t size) override {
    auto job = [s = s_, size] {
      std::lock_guard lock(s->mutex);
      if (::ftruncate(s->open_fd("truncate"), static_cast<off_t>(size)) < 0)
        throw_fs_error(errno, "truncate", s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_await std::move(done);
  }
  Coro<void> close() override {
    auto job = [s = s_] {
      std::lock_guard lock(s->mutex);
      const int fd = s->fd;
      if (fd < 0) return;
      s->fd = -1;
      // Linux releases the descriptor even when close() fails: never retry it.
      if (::close(fd) < 0 && errno != EINTR) throw_fs_error(errno, "close", s->path);
    };
    auto done = run_in_executor(nullptr, std::move(job));
    co_await std::move(done);
  }

 private:
  std::shared_ptr<RealFileState> s_;
};

}  // namespace

RealFileSystem::RealFileSystem(std::string root) : root_(std::move(root)) {
  const int fd = ::open(root_.empty() ? "." : root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_fs_error(errno, "open the root directory", root_);
  root_fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

RealFileSystem::~RealFileSystem() = default;

Coro<std::shared_ptr<OpenFile>> RealFileSystem::open_file(std::string path, OpenFlags flags) {
  std::string at = at_path(path, "open");
  auto job = [root = root_fd_, at = std::move(at), path, flags]() {
    int o = O_CLOEXEC;
    const bool r = has(flags, OpenFlags::kRead), w = has(flags, OpenFlags::kWrite);
    o |= r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;
    if (has(flags, OpenFlags::kCreate)) o |= O_CREAT;
    if (has(flags, OpenFlags::kExclusive)) o |= O_EXCL;
    if (has(flags, OpenFlags::kTruncate)) o |= O_TRUNC;
    if (has(flags, OpenFlags::kAppend)) o |= O_APPEND;
    int fd;
    do {
      fd = ::openat(*root, at.c_str(), o, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) throw_fs_error(errno, "open", path);
    auto s = std::make_shared<RealFileState>(fd, path);
    struct stat st {};
    if (::fstat(fd, &st) < 0) throw_fs_error(errno, "open", path);
    // Linux opens a directory read-only; Python's open() refuses it, as we do.
    if (S_ISDIR(st.st_mode)) throw_fs_error(EISDIR, "open", path);
    return s;
  };
  auto done = run_in_executor(nullptr, std::move(job));
  auto state = co_await std::move(done);
  co_return std::make_shared<RealFile>(std::move(state));
}

Coro<void> RealFileSystem::rename(std::string from, std::string to) {
  std::string a = at_path(from, "rename"), b = at_path(to, "rename");
  if (a == "." || b == ".") throw_fs_error(EBUSY, "rename", a == "." ? from : to, "the root");
  auto job = [root = root_fd_, a = std::move(a), b = std::move(b), from] {
    if (::renameat(*root, a.c_str(), *root, b.c_str()) < 0) {
      // Linux says EEXIST or ENOTEMPTY for a directory onto one with entries: one answer.
      throw_fs_error(errno == EEXIST ? ENOTEMPTY : errno, "rename", from);
    }
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_await std::move(done);
}

Coro<void> RealFileSystem::unlink(std::string path) {
  std::string at = at_path(path, "unlink");
  auto job = [root = root_fd_, at = std::move(at), path] {
    if (::unlinkat(*root, at.c_str(), 0) < 0) throw_fs_error(errno, "unlink", path);
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_await std::move(done);
}

Coro<void> RealFileSystem::mkdir(std::string path) {
  std::string at = at_path(path, "mkdir");
  auto job = [root = root_fd_, at = std::move(at), path] {
    if (::mkdirat(*root, at.c_str(), 0777) < 0) throw_fs_error(errno, "mkdir", path);
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_await std::move(done);
}

Coro<void> RealFileSystem::rmdir(std::string path) {
  std::string at = at_path(path, "rmdir");
  if (at == ".") throw_fs_error(EBUSY, "rmdir", path, "the root");
  auto job = [root = root_fd_, at = std::move(at), path] {
    if (::unlinkat(*root, at.c_str(), AT_REMOVEDIR) < 0)
      throw_fs_error(errno == EEXIST ? ENOTEMPTY : errno, "rmdir", path);
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_await std::move(done);
}

Coro<std::vector<std::string>> RealFileSystem::list(std::string dir) {
  std::string at = at_path(dir, "list");
  auto job = [root = root_fd_, at = std::move(at), dir] {
    const int fd = ::openat(*root, at.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_fs_error(errno, "list", dir);
    DIR* d = ::fdopendir(fd);
    if (!d) {
      const int e = errno;
      ::close(fd);
      throw_fs_error(e, "list", dir);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(d)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int e = errno;
    ::closedir(d);
    if (e != 0) throw_fs_error(e, "list", dir);
    std::sort(names.begin(), names.end());  // readdir's order is the file system's hash order
    return names;
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_return co_await std::move(done);
}

Coro<FileStat> RealFileSystem::stat(std::string path) {
  std::string at = at_path(path, "stat");
  auto job = [root = root_fd_, at = std::move(at), path] {
    struct stat st {};
    if (::fstatat(*root, at.c_str(), &st, 0) < 0) throw_fs_error(errno, "stat", path);
    FileStat out;
    out.is_dir = S_ISDIR(st.st_mode);
    out.size = out.is_dir ? 0 : static_cast<std::uint64_t>(st.st_size);
    return out;
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_return co_await std::move(done);
}

Coro<void> RealFileSystem::fsync_dir(std::string dir) {
  std::string at = at_path(dir, "fsync_dir");
  auto job = [root = root_fd_, at = std::move(at), dir] {
    const int fd = ::openat(*root, at.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_fs_error(errno, "fsync_dir", dir);
    const int r = ::fsync(fd);
    const int e = errno;
    ::close(fd);
    if (r < 0) throw_fs_error(e, "fsync_dir", dir);
  };
  auto done = run_in_executor(nullptr, std::move(job));
  co_await std::move(done);
}

}  // namespace lockstep
