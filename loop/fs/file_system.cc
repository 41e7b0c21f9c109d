#include "loop/fs/file_system.h"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "loop/errors.h"
#include "loop/fs/real_file_system.h"
#include "loop/loop.h"

namespace lockstep {

OpenFlags open_flags(std::string_view mode) {
  auto invalid = [&] { return std::invalid_argument("invalid mode: '" + std::string(mode) + "'"); };
  OpenFlags f = OpenFlags::kNone;
  int kinds = 0;  // exactly one of r, w, a, x
  bool plus = false, binary = false, text = false;
  for (char c : mode) {
    switch (c) {
      case 'r':
        f = f | OpenFlags::kRead;
        ++kinds;
        break;
      case 'w':
        f = f | OpenFlags::kWrite | OpenFlags::kCreate | OpenFlags::kTruncate;
        ++kinds;
        break;
      case 'a':
        f = f | OpenFlags::kAppend | OpenFlags::kWrite | OpenFlags::kCreate;
        ++kinds;
        break;
      case 'x':
        f = f | OpenFlags::kWrite | OpenFlags::kCreate | OpenFlags::kExclusive;
        ++kinds;
        break;
      case '+':
        if (plus) throw invalid();
        plus = true;
        break;
      case 'b':
        if (binary) throw invalid();
        binary = true;
        break;
      case 't':
        if (text) throw invalid();
        text = true;
        break;
      default:
        throw invalid();
    }
  }
  if (kinds != 1 || (binary && text)) throw invalid();
  if (plus) f = f | OpenFlags::kRead | OpenFlags::kWrite;
  return f;
}

OpenFlags normalize(OpenFlags flags, const std::string& path) {
  if (has(flags, OpenFlags::kExclusive)) flags = flags | OpenFlags::kCreate;
  if (has(flags, OpenFlags::kAppend)) flags = flags | OpenFlags::kWrite;
  if (!has(flags, OpenFlags::kRead) && !has(flags, OpenFlags::kWrite))
    internal::throw_fs_error(EINVAL, "open", path, "the flags allow neither reading nor writing");
  if (has(flags, OpenFlags::kTruncate) && !has(flags, OpenFlags::kWrite))
    internal::throw_fs_error(EINVAL, "open", path, "kTruncate needs kWrite");
  return flags;
}

namespace {
const std::string kNoPath;
}  // namespace

const std::string& File::path() const noexcept { return state_ ? state_->path : kNoPath; }

namespace {

// Every File operation runs as a coroutine of its own holding the File's state, so a
// File destroyed (or moved from) before the operation is awaited cannot leave it dangling.
using FileState = std::shared_ptr<File::State>;

OpenFile& checked(const FileState& s, const char* op, OpenFlags need = OpenFlags::kNone) {
  if (!s) internal::throw_fs_error(EBADF, op, "", "the File is not open");
  if (s->closed) internal::throw_fs_error(EBADF, op, s->path, "the file is closed");
  if (need != OpenFlags::kNone && !has(s->flags, need))
    internal::throw_fs_error(EBADF, op, s->path,
                             need == OpenFlags::kRead ? "the file is not open for reading"
                                                      : "the file is not open for writing");
  return *s->impl;
}

Coro<std::string> do_read(FileState s, std::uint64_t offset, std::size_t n) {
  co_return co_await checked(s, "read", OpenFlags::kRead).read(offset, n);
}

Coro<std::string> do_read_all(FileState s) {
  co_return co_await checked(s, "read", OpenFlags::kRead).read_all();
}

Coro<void> do_write(FileState s, std::uint64_t offset, std::string data) {
  OpenFile& f = checked(s, "write", OpenFlags::kWrite);
  if (has(s->flags, OpenFlags::kAppend)) {
    co_await f.append(std::move(data));  // O_APPEND: Linux's pwrite ignores the offset
  } else {
    co_await f.write(offset, std::move(data));
  }
}

Coro<std::uint64_t> do_append(FileState s, std::string data) {
  co_return co_await checked(s, "write", OpenFlags::kWrite).append(std::move(data));
}

Coro<void> do_fsync(FileState s) { co_await checked(s, "fsync").fsync(); }

Coro<std::uint64_t> do_size(FileState s) { co_return co_await checked(s, "stat").size(); }

Coro<void> do_truncate(FileState s, std::uint64_t size) {
  co_await checked(s, "truncate", OpenFlags::kWrite).truncate(size);
}

Coro<void> do_close(FileState s) {
  if (!s || s->closed) co_return;  // Python's close(): a second one does nothing
  s->closed = true;                // from now on every copy sees EBADF, even while the close runs
  co_await s->impl->close();
}

}  // namespace

Coro<std::string> File::read(std::uint64_t offset, std::size_t n) {
  return do_read(state_, offset, n);
}
Coro<std::string> File::read_all() { return do_read_all(state_); }
Coro<void> File::write(std::uint64_t offset, std::string data) {
  return do_write(state_, offset, std::move(data));
}
Coro<std::uint64_t> File::append(std::string data) { return do_append(state_, std::move(data)); }
Coro<void> File::fsync() { return do_fsync(state_); }
Coro<std::uint64_t> File::size() { return do_size(state_); }
Coro<void> File::truncate(std::uint64_t size) { return do_truncate(state_, size); }
Coro<void> File::close() { return do_close(state_); }

Coro<File> FileSystem::open(std::string path, OpenFlags flags) {
  flags = normalize(flags, path);
  std::shared_ptr<OpenFile> impl = co_await open_file(path, flags);
  co_return File(std::move(impl), std::move(path), flags);
}

Coro<File> FileSystem::open(std::string path, std::string_view mode) {
  // Parsed now, not when the coroutine first runs: `mode` is a view that may not live
  // that long. An invalid mode throws here, at the call.
  return open(std::move(path), open_flags(mode));
}

Coro<bool> FileSystem::exists(std::string path) {
  bool found = true;
  try {
    co_await stat(std::move(path));
  } catch (const OSError& e) {
    if (e.errno_value() != ENOENT && e.errno_value() != ENOTDIR) throw;
    found = false;
  }
  co_return found;
}

FileSystem& file_system_of(Loop& loop) {
  if (FileSystem* installed = loop.file_system()) return *installed;
  if (!loop.io()) {
    throw RuntimeError(
        "lockstep: this loop has no file system: its driver simulates time, and no simulated "
        "file system is installed (run under lockstep::simulate(), which installs one, or call "
        "Loop::set_file_system, e.g. with a RealFileSystem)");
  }
  loop.set_file_system(std::make_shared<RealFileSystem>());
  return *loop.file_system();
}

FileSystem& file_system() {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: the file API needs a running loop");
  return file_system_of(*loop);
}

namespace internal {

std::string fs_error_context(std::string_view op, std::string_view path, std::string_view detail) {
  // OSError (a std::system_error) appends ": <strerror>" itself.
  std::string context = std::string(op) + " '" + std::string(path) + "'";
  if (!detail.empty()) context += " (" + std::string(detail) + ")";
  return context;
}

void throw_fs_error(int errno_value, std::string_view op, std::string_view path,
                    std::string_view detail) {
  throw_os_error(errno_value, fs_error_context(op, path, detail));
}

std::vector<std::string> split_path(std::string_view path, std::string_view op) {
  if (!path.empty() && path.front() == '/')
    throw_fs_error(EINVAL, op, path, "paths are relative to the file system's root");
  if (path.find('\0') != std::string_view::npos) throw_fs_error(EINVAL, op, path, "a NUL byte");
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") throw_fs_error(EINVAL, op, path, "'..' may not leave the root");
    if (!part.empty() && part != ".") parts.emplace_back(part);
    i = j + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace internal

}  // namespace lockstep
