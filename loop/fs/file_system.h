// Files for node code: a small async file API, the same over real files and under
// simulation, where its crash behaviour is explored like any other decision.
//
//   lockstep::FileSystem& fs = lockstep::file_system();    // the running loop's
//   lockstep::File wal = co_await fs.open("wal", "a");      // Python's modes, or OpenFlags
//   co_await wal.append("put k1 v1\n");
//   co_await wal.fsync();                                   // durable from here on
//   co_await wal.close();
//
//   // Atomically replace a file: write a temporary, fsync it, rename it over the old
//   // one, then fsync the directory, without which a crash may undo the rename.
//   lockstep::File tmp = co_await fs.open("state.tmp", "w");
//   co_await tmp.write(0, state);
//   co_await tmp.fsync();
//   co_await tmp.close();
//   co_await fs.rename("state.tmp", "state");
//   co_await fs.fsync_dir(".");
//
// Paths are relative to the file system's root ("wal", "data/0001.log"), '/'-separated;
// "" and "." name the root itself. Absolute paths and ".." are refused (EINVAL): a
// simulated node's disk and a production data directory read the same.
//
// Two backends implement FileSystem, the one seam between this API and the storage:
//   - RealFileSystem (real_file_system.h): POSIX files under a root directory, each call
//     run on the loop's default executor (run_in_executor), so the loop never blocks.
//     A loop on a driver with file descriptors makes one on first use (the current
//     directory as root).
//   - SimFileSystem (sim/disk/): a simulated disk per node with a page cache. Writes are
//     volatile until fsync, and creates, renames and unlinks until fsync_dir of their
//     directory; a crash keeps, loses or tears what was not synced, each a decision.
//     simulate() installs one on every loop.
// Both follow Linux: what the page cache holds is what reads see; fsync makes a file's
// data durable, not its name (fsync_dir does that); errors are the OSError family
// (loop/os_error.h) with Linux's errno: ENOENT (FileNotFoundError), EEXIST
// (FileExistsError), EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EBADF (a closed File, or a
// read or write the open mode does not allow), EIO, ENOSPC.
//
// Operations take parameters by value (they are coroutines; see docs/pitfalls.md). A File
// is a shared handle: copies refer to the same open file, which the last copy closes if
// close() was not awaited. Cancelling an operation does not undo it: like a system call
// on an executor thread, an operation that has started completes, and the caller sees
// CancelledError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loop/coro.h"
#include "loop/os_error.h"

namespace lockstep {

class Loop;

// How to open a file (POSIX's O_* flags). Combine with |: kRead | kWrite | kCreate.
enum class OpenFlags : std::uint8_t {
  kNone = 0,
  kRead = 1,       // reads allowed
  kWrite = 2,      // writes, appends and truncate allowed
  kCreate = 4,     // create the file if it does not exist (O_CREAT)
  kExclusive = 8,  // with kCreate: fail with EEXIST if it exists (O_EXCL); implies kCreate
  kTruncate = 16,  // empty it on open (O_TRUNC); needs kWrite
  kAppend = 32,    // every write goes to the end, whatever its offset (O_APPEND, as
                   // Linux's pwrite does); implies kWrite
};
constexpr OpenFlags operator|(OpenFlags a, OpenFlags b) noexcept {
  return static_cast<OpenFlags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr OpenFlags operator&(OpenFlags a, OpenFlags b) noexcept {
  return static_cast<OpenFlags>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
// True iff `flags` has every flag of `f`.
constexpr bool has(OpenFlags flags, OpenFlags f) noexcept { return (flags & f) == f; }

// Python's open() modes as flags: "r" read, "r+" read and write, "w" write + create +
// truncate, "a" append + create, "x" write + create + exclusive; '+' adds read and write
// to any; 'b' and 't' are accepted and change nothing (files hold bytes). Throws
// std::invalid_argument for anything else ("invalid mode: 'q'").
OpenFlags open_flags(std::string_view mode);
// kExclusive and kAppend with what they imply; EINVAL (OSError) for flags that allow
// neither reading nor writing, or kTruncate without kWrite. What both backends open with.
OpenFlags normalize(OpenFlags flags, const std::string& path);

// What stat() reports.
struct FileStat {
  std::uint64_t size = 0;  // bytes (a directory's is 0)
  bool is_dir = false;

  friend bool operator==(const FileStat&, const FileStat&) = default;
};

// The backend's side of an open file. Implementations are called only through File,
// which has already checked that the file is open and that the open mode allows the
// operation; every call may still fail as the storage does (EIO, ENOSPC, EBADF after a
// simulated crash).
class OpenFile {
 public:
  virtual ~OpenFile() = default;
  virtual Coro<std::string> read(std::uint64_t offset, std::size_t n) = 0;
  virtual Coro<std::string> read_all() = 0;
  virtual Coro<void> write(std::uint64_t offset, std::string data) = 0;
  virtual Coro<std::uint64_t> append(std::string data) = 0;
  virtual Coro<void> fsync() = 0;
  virtual Coro<std::uint64_t> size() = 0;
  virtual Coro<void> truncate(std::uint64_t size) = 0;
  // Called once (File makes a second close() a no-op).
  virtual Coro<void> close() = 0;
};

// An open file. Default-constructed: not open (every operation raises EBADF).
class File {
 public:
  File() = default;
  File(std::shared_ptr<OpenFile> impl, std::string path, OpenFlags flags)
      : state_(std::make_shared<State>(State{std::move(impl), std::move(path), flags, false})) {}

  // Up to n bytes from `offset`: fewer at the end of the file, none at or past it (pread).
  [[nodiscard]] Coro<std::string> read(std::uint64_t offset, std::size_t n);
  // The whole file.
  [[nodiscard]] Coro<std::string> read_all();
  // Writes all of `data` at `offset` (pwrite); a gap past the end reads as zeros. On a
  // file opened with kAppend the data goes to the end instead, as on Linux.
  [[nodiscard]] Coro<void> write(std::uint64_t offset, std::string data);
  // Writes `data` at the end of the file; returns the offset it landed at.
  [[nodiscard]] Coro<std::uint64_t> append(std::string data);
  // Makes the file's data (not its name: see FileSystem::fsync_dir) durable. After an
  // EIO from fsync, as on Linux, the writes it failed to persist are no longer dirty:
  // a later fsync succeeds without them, and a crash loses them.
  [[nodiscard]] Coro<void> fsync();
  // The file's size in bytes.
  [[nodiscard]] Coro<std::uint64_t> size();
  // Cuts the file to `size` bytes, or extends it with zeros.
  [[nodiscard]] Coro<void> truncate(std::uint64_t size);
  // Closes the file; later operations raise EBADF. A second close() does nothing.
  // Closing does not fsync.
  [[nodiscard]] Coro<void> close();

  bool is_open() const noexcept { return state_ && !state_->closed; }
  // The path it was opened with, and how ("" and kNone for a File never opened).
  const std::string& path() const noexcept;
  OpenFlags flags() const noexcept { return state_ ? state_->flags : OpenFlags::kNone; }

  // The state copies share (public for the implementation's helpers only).
  struct State {
    std::shared_ptr<OpenFile> impl;
    std::string path;
    OpenFlags flags;
    bool closed;  // close() was called
  };

 private:
  std::shared_ptr<State> state_;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens `path` with `flags`. ENOENT if it does not exist (without kCreate) or its
  // directory does not; EEXIST with kExclusive if it exists; EISDIR if it is a directory;
  // ENOTDIR if a component of the path is a file.
  [[nodiscard]] Coro<File> open(std::string path, OpenFlags flags);
  // The same with a Python mode ("r", "w", "a+", ...; see open_flags). An invalid mode
  // throws std::invalid_argument from the call itself.
  [[nodiscard]] Coro<File> open(std::string path, std::string_view mode = "r");

  // Renames `from` to `to`, atomically replacing a file at `to` (POSIX rename). A
  // directory may be renamed too (onto an empty directory or a free name). ENOENT if
  // `from` does not exist; EISDIR for a file onto a directory; ENOTDIR for a directory
  // onto a file; ENOTEMPTY onto a directory that has entries; EINVAL into itself.
  [[nodiscard]] virtual Coro<void> rename(std::string from, std::string to) = 0;
  // Removes the name `path` of a file (an open File keeps working). EISDIR for a
  // directory (use rmdir).
  [[nodiscard]] virtual Coro<void> unlink(std::string path) = 0;
  // Creates a directory. EEXIST if the name is taken, ENOENT if its parent is missing.
  [[nodiscard]] virtual Coro<void> mkdir(std::string path) = 0;
  // Removes an empty directory. ENOTEMPTY if it has entries, ENOTDIR for a file.
  [[nodiscard]] virtual Coro<void> rmdir(std::string path) = 0;
  // The names in directory `dir` ("" or "." for the root), sorted bytewise.
  [[nodiscard]] virtual Coro<std::vector<std::string>> list(std::string dir) = 0;
  // Size and kind of `path`. ENOENT if it does not exist.
  [[nodiscard]] virtual Coro<FileStat> stat(std::string path) = 0;
  // True iff `path` names a file or directory.
  [[nodiscard]] Coro<bool> exists(std::string path);
  // Makes the creates, renames and unlinks done in directory `dir` durable (fsync of the
  // directory, as Linux needs: without it a crash may undo them, even for a file whose
  // data was fsynced).
  [[nodiscard]] virtual Coro<void> fsync_dir(std::string dir) = 0;

  // "real", "simulated": for diagnostics.
  virtual const char* name() const noexcept = 0;

 protected:
  // open()'s work, with flags already normalized (see normalize()).
  virtual Coro<std::shared_ptr<OpenFile>> open_file(std::string path, OpenFlags flags) = 0;
};

// The running loop's file system: the one installed with Loop::set_file_system, else (on
// a driver with file descriptors, i.e. a real loop) a RealFileSystem on the current
// directory, made on first use. Throws RuntimeError outside a running loop, or on a
// virtual-time loop with none installed.
FileSystem& file_system();
// The same for a given loop (which need not be running).
FileSystem& file_system_of(Loop& loop);

namespace internal {
// "open 'wal' (detail)": the context of a file error; its what() reads "lockstep: [Errno 2]
// open 'wal': No such file or directory".
std::string fs_error_context(std::string_view op, std::string_view path,
                             std::string_view detail = {});
[[noreturn]] void throw_fs_error(int errno_value, std::string_view op, std::string_view path,
                                 std::string_view detail = {});
// `path` as its components ("a/b//c/" -> a, b, c; "" and "." -> none). EINVAL (OSError)
// for an absolute path, a ".." component or a NUL byte.
std::vector<std::string> split_path(std::string_view path, std::string_view op);
// The components joined with '/' ("" for the root).
std::string join_path(const std::vector<std::string>& parts);
}  // namespace internal

}  // namespace lockstep
