// The file API: the same bodies over real files and (through LOCKSTEP_FS_TEST) on the
// simulated disk. Each names the behaviour it checks; errno values are Linux's.
#include <cerrno>
#include <string>
#include <vector>

#include "tests/fs/fs_test.h"

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::File;
using lockstep::FileSystem;
using lockstep::OpenFlags;

namespace {

// The errno of the OSError `c` raised, or 0 if it returned.
template <class T>
Coro<int> errno_of(Coro<T> c) {
  int e = 0;
  try {
    co_await std::move(c);
  } catch (const lockstep::OSError& error) {
    e = error.errno_value();
  }
  co_return e;
}

Coro<void> write_file(std::string path, std::string data) {
  File f = co_await lockstep::file_system().open(path, "w");
  co_await f.write(0, std::move(data));
  co_await f.close();
}

Coro<std::string> read_file(std::string path) {
  File f = co_await lockstep::file_system().open(path);
  std::string s = co_await f.read_all();
  co_await f.close();
  co_return s;
}

// "a b c" -> {"a", "b", "c"} (no braced lists inside a coroutine: g++ 12, docs/pitfalls.md).
std::vector<std::string> names(const std::string& spaced) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < spaced.size()) {
    std::size_t j = spaced.find(' ', i);
    if (j == std::string::npos) j = spaced.size();
    if (j > i) out.push_back(spaced.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

LOCKSTEP_FS_TEST(Files, WritesAreReadBack) {
  FileSystem& fs = lockstep::file_system();
  File f = co_await fs.open("data", "w+");
  co_await f.write(0, "hello");
  co_await f.write(5, " world");
  EXPECT_EQ(co_await f.read_all(), "hello world");
  EXPECT_EQ(co_await f.read(6, 5), "world");
  EXPECT_EQ(co_await f.read(6, 100), "world") << "a read stops at the end of the file";
  EXPECT_EQ(co_await f.read(100, 5), "") << "a read past the end returns nothing";
  EXPECT_EQ(co_await f.size(), 11u);
  co_await f.write(0, "J");
  EXPECT_EQ(co_await f.read(0, 5), "Jello") << "a write overwrites in place";
  co_await f.close();
  EXPECT_EQ(co_await read_file("data"), "Jello world");
  EXPECT_TRUE(env.errors.empty()) << env.errors.front();
}

LOCKSTEP_FS_TEST(Files, OpenModesFollowPython) {
  FileSystem& fs = lockstep::file_system();
  EXPECT_EQ(co_await errno_of(fs.open("missing")), ENOENT);
  bool typed = false;
  try {
    co_await fs.open("missing", "r+");
  } catch (const lockstep::FileNotFoundError&) {
    typed = true;
  }
  EXPECT_TRUE(typed) << "ENOENT raises FileNotFoundError";
  File x = co_await fs.open("f", "x");
  co_await x.write(0, "first");
  co_await x.close();
  EXPECT_EQ(co_await errno_of(fs.open("f", "x")), EEXIST);
  typed = false;
  try {
    co_await fs.open("f", OpenFlags::kWrite | OpenFlags::kCreate | OpenFlags::kExclusive);
  } catch (const lockstep::FileExistsError&) {
    typed = true;
  }
  EXPECT_TRUE(typed) << "EEXIST raises FileExistsError";
  File rw = co_await fs.open("f", "r+");
  EXPECT_EQ(co_await rw.read_all(), "first") << "r+ does not truncate";
  co_await rw.write(0, "F");
  co_await rw.close();
  File a = co_await fs.open("f", "a");
  co_await a.write(0, "!");  // O_APPEND: the offset is ignored, as Linux's pwrite does
  EXPECT_EQ(co_await a.append("?"), 6u);
  co_await a.close();
  EXPECT_EQ(co_await read_file("f"), "First!?");
  File w = co_await fs.open("f", "w");
  EXPECT_EQ(co_await w.size(), 0u) << "w truncates";
  EXPECT_EQ(co_await errno_of(w.read(0, 1)), EBADF) << "w does not allow reads";
  co_await w.close();
  File r = co_await fs.open("f");
  EXPECT_EQ(co_await errno_of(r.write(0, "x")), EBADF) << "r does not allow writes";
  EXPECT_EQ(co_await errno_of(r.append("x")), EBADF);
  EXPECT_EQ(co_await errno_of(r.truncate(0)), EBADF);
  co_await r.close();
  File ap = co_await fs.open("new", "a+");
  co_await ap.append("made");
  EXPECT_EQ(co_await ap.read_all(), "made") << "a+ creates, appends and reads";
  co_await ap.close();
}

LOCKSTEP_FS_TEST(Files, AGapReadsAsZerosAndTruncateResizes) {
  File f = co_await lockstep::file_system().open("sparse", "w+");
  co_await f.write(4, "x");
  EXPECT_EQ(co_await f.read_all(), std::string(4, '\0') + "x");
  co_await f.truncate(2);
  EXPECT_EQ(co_await f.read_all(), std::string(2, '\0'));
  co_await f.truncate(6);
  EXPECT_EQ(co_await f.size(), 6u) << "truncate extends with zeros";
  EXPECT_EQ(co_await f.read_all(), std::string(6, '\0'));
  co_await f.close();
}

LOCKSTEP_FS_TEST(Files, AppendReturnsWhereTheDataLanded) {
  File f = co_await lockstep::file_system().open("log", "a");
  EXPECT_EQ(co_await f.append("abc"), 0u);
  EXPECT_EQ(co_await f.append("de"), 3u);
  EXPECT_EQ(co_await f.append(""), 5u);
  co_await f.close();
  EXPECT_EQ(co_await read_file("log"), "abcde");
}

LOCKSTEP_FS_TEST(Files, UseAfterCloseRaisesEBADF) {
  File f = co_await lockstep::file_system().open("c", "w+");
  File copy = f;
  co_await f.write(0, "x");
  co_await f.close();
  EXPECT_FALSE(f.is_open());
  EXPECT_FALSE(copy.is_open()) << "copies share the open file";
  EXPECT_EQ(co_await errno_of(f.read(0, 1)), EBADF);
  EXPECT_EQ(co_await errno_of(copy.write(0, "y")), EBADF);
  EXPECT_EQ(co_await errno_of(copy.fsync()), EBADF);
  EXPECT_EQ(co_await errno_of(copy.size()), EBADF);
  EXPECT_EQ(co_await errno_of(f.truncate(0)), EBADF);
  EXPECT_EQ(co_await errno_of(f.close()), 0) << "a second close does nothing";
  File never;
  EXPECT_EQ(co_await errno_of(never.read_all()), EBADF) << "a File never opened";
  EXPECT_EQ(co_await errno_of(never.close()), 0);
  EXPECT_EQ(never.path(), "");
  EXPECT_EQ(f.path(), "c");
  EXPECT_EQ(co_await read_file("c"), "x");
}

LOCKSTEP_FS_TEST(Files, RenameReplacesAtomically) {
  FileSystem& fs = lockstep::file_system();
  co_await write_file("new", "new contents");
  co_await write_file("old", "old contents");
  co_await fs.rename("new", "old");
  EXPECT_EQ(co_await read_file("old"), "new contents");
  EXPECT_FALSE(co_await fs.exists("new"));
  co_await fs.rename("old", "old");
  EXPECT_EQ(co_await read_file("old"), "new contents") << "a rename onto itself does nothing";
  EXPECT_EQ(co_await errno_of(fs.rename("missing", "x")), ENOENT);
  EXPECT_EQ(co_await errno_of(fs.rename("old", "nodir/x")), ENOENT);
  co_await fs.mkdir("d");
  co_await fs.mkdir("e");
  co_await write_file("e/inside", "");
  EXPECT_EQ(co_await errno_of(fs.rename("old", "d")), EISDIR) << "a file onto a directory";
  EXPECT_EQ(co_await errno_of(fs.rename("d", "old")), ENOTDIR) << "a directory onto a file";
  EXPECT_EQ(co_await errno_of(fs.rename("d", "e")), ENOTEMPTY) << "onto a directory with entries";
  EXPECT_EQ(co_await errno_of(fs.rename("e", "e/sub")), EINVAL) << "into itself";
  co_await fs.rename("e", "d");  // onto an empty directory: replaces it
  EXPECT_EQ(co_await fs.list("d"), names("inside"));
  EXPECT_FALSE(co_await fs.exists("e"));
  co_await fs.rename("old", "d/moved");
  EXPECT_EQ(co_await read_file("d/moved"), "new contents") << "across directories";
}

LOCKSTEP_FS_TEST(Files, UnlinkRemovesTheNameNotTheOpenFile) {
  FileSystem& fs = lockstep::file_system();
  File f = co_await fs.open("tmp", "w+");
  co_await f.write(0, "still here");
  co_await fs.unlink("tmp");
  EXPECT_FALSE(co_await fs.exists("tmp"));
  EXPECT_EQ(co_await f.read_all(), "still here");
  co_await f.append("!");
  EXPECT_EQ(co_await f.size(), 11u);
  co_await f.close();
  EXPECT_EQ(co_await errno_of(fs.unlink("tmp")), ENOENT);
  co_await fs.mkdir("d");
  EXPECT_EQ(co_await errno_of(fs.unlink("d")), EISDIR);
  EXPECT_EQ(co_await errno_of(fs.open("tmp")), ENOENT);
}

LOCKSTEP_FS_TEST(Files, ListIsSortedAndDirectoriesNest) {
  FileSystem& fs = lockstep::file_system();
  co_await write_file("b", "");
  co_await write_file("a", "");
  co_await write_file("C", "");
  co_await fs.mkdir("d");
  co_await write_file("d/x", "");
  co_await fs.mkdir("d/y");
  EXPECT_EQ(co_await fs.list("."), names("C a b d")) << "bytewise order";
  EXPECT_EQ(co_await fs.list(""), names("C a b d"));
  EXPECT_EQ(co_await fs.list("d"), names("x y"));
  EXPECT_EQ(co_await fs.list("d/y"), names(""));
  EXPECT_EQ(co_await errno_of(fs.list("a")), ENOTDIR);
  EXPECT_EQ(co_await errno_of(fs.list("nope")), ENOENT);
  EXPECT_EQ(co_await errno_of(fs.mkdir("d")), EEXIST);
  EXPECT_EQ(co_await errno_of(fs.mkdir("a")), EEXIST);
  EXPECT_EQ(co_await errno_of(fs.mkdir("nope/x")), ENOENT);
  EXPECT_EQ(co_await errno_of(fs.mkdir("a/x")), ENOTDIR);
  EXPECT_EQ(co_await errno_of(fs.rmdir("d")), ENOTEMPTY);
  EXPECT_EQ(co_await errno_of(fs.rmdir("a")), ENOTDIR);
  EXPECT_EQ(co_await errno_of(fs.rmdir("nope")), ENOENT);
  co_await fs.rmdir("d/y");
  EXPECT_EQ(co_await fs.list("d"), names("x"));
}

LOCKSTEP_FS_TEST(Files, StatAndExists) {
  FileSystem& fs = lockstep::file_system();
  co_await write_file("f", "12345");
  co_await fs.mkdir("d");
  const lockstep::FileStat file = co_await fs.stat("f");
  EXPECT_EQ(file.size, 5u);
  EXPECT_FALSE(file.is_dir);
  const lockstep::FileStat dir = co_await fs.stat("d");
  EXPECT_TRUE(dir.is_dir);
  EXPECT_EQ(dir.size, 0u);
  EXPECT_TRUE((co_await fs.stat(".")).is_dir) << "the root";
  EXPECT_TRUE(co_await fs.exists("f"));
  EXPECT_TRUE(co_await fs.exists("d"));
  EXPECT_FALSE(co_await fs.exists("g"));
  EXPECT_FALSE(co_await fs.exists("f/x")) << "ENOTDIR reads as absent";
  EXPECT_EQ(co_await errno_of(fs.stat("g")), ENOENT);
  EXPECT_EQ(co_await errno_of(fs.stat("f/x")), ENOTDIR);
}

LOCKSTEP_FS_TEST(Files, PathsStayUnderTheRoot) {
  FileSystem& fs = lockstep::file_system();
  EXPECT_EQ(co_await errno_of(fs.open("/etc/passwd")), EINVAL);
  EXPECT_EQ(co_await errno_of(fs.open("../escape", "w")), EINVAL);
  EXPECT_EQ(co_await errno_of(fs.list("a/../..")), EINVAL);
  co_await fs.mkdir("a");
  co_await write_file("./a//b", "same");
  EXPECT_EQ(co_await read_file("a/b"), "same") << "'.' and empty components are dropped";
}

LOCKSTEP_FS_TEST(Files, OpenRefusesDirectoriesAndMissingParents) {
  FileSystem& fs = lockstep::file_system();
  co_await fs.mkdir("d");
  co_await write_file("f", "");
  EXPECT_EQ(co_await errno_of(fs.open("d")), EISDIR);
  EXPECT_EQ(co_await errno_of(fs.open("d", "w")), EISDIR);
  EXPECT_EQ(co_await errno_of(fs.open(".")), EISDIR);
  EXPECT_EQ(co_await errno_of(fs.open("f/x", "w")), ENOTDIR);
  EXPECT_EQ(co_await errno_of(fs.open("nodir/x", "w")), ENOENT);
  bool typed = false;
  try {
    co_await fs.open("d");
  } catch (const lockstep::IsADirectoryError&) {
    typed = true;
  }
  EXPECT_TRUE(typed) << "EISDIR raises IsADirectoryError";
}

LOCKSTEP_FS_TEST(Files, FsyncAndFsyncDir) {
  FileSystem& fs = lockstep::file_system();
  co_await fs.mkdir("d");
  File f = co_await fs.open("d/f", "w");
  co_await f.write(0, "durable");
  co_await f.fsync();
  co_await f.close();
  co_await fs.fsync_dir("d");
  co_await fs.fsync_dir(".");
  EXPECT_EQ(co_await errno_of(fs.fsync_dir("d/f")), ENOTDIR);
  EXPECT_EQ(co_await errno_of(fs.fsync_dir("missing")), ENOENT);
  EXPECT_EQ(co_await read_file("d/f"), "durable");
}

LOCKSTEP_FS_TEST(Files, ConcurrentTasksEachKeepTheirOwnFile) {
  FileSystem& fs = lockstep::file_system();
  constexpr int kTasks = 8, kRecords = 40;
  auto writer = [&fs](int id) -> Coro<void> {
    File f = co_await fs.open("log" + std::to_string(id), "a");
    for (int i = 0; i < kRecords; ++i)
      co_await f.append(std::to_string(id) + ":" + std::to_string(i) + "\n");
    co_await f.fsync();
    co_await f.close();
  };
  std::vector<lockstep::Task<void>> tasks;
  for (int i = 0; i < kTasks; ++i) tasks.push_back(lockstep::create_task(writer(i)));
  co_await lockstep::gather(std::move(tasks));
  for (int id = 0; id < kTasks; ++id) {
    std::string expected;
    for (int i = 0; i < kRecords; ++i)
      expected += std::to_string(id) + ":" + std::to_string(i) + "\n";
    EXPECT_EQ(co_await read_file("log" + std::to_string(id)), expected) << "task " << id;
  }
  EXPECT_EQ((co_await fs.list(".")).size(), static_cast<std::size_t>(kTasks));
}

LOCKSTEP_FS_TEST(Files, AMegabyteRoundTrips) {
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  co_await write_file("big", big);
  EXPECT_EQ(co_await read_file("big"), big);
}

// Plain tests: the pieces that need no file system.

TEST(OpenFlags, ParsePythonModes) {
  using lockstep::open_flags;
  EXPECT_EQ(open_flags("r"), OpenFlags::kRead);
  EXPECT_EQ(open_flags("rb"), OpenFlags::kRead);
  EXPECT_EQ(open_flags("r+"), OpenFlags::kRead | OpenFlags::kWrite);
  EXPECT_EQ(open_flags("w"), OpenFlags::kWrite | OpenFlags::kCreate | OpenFlags::kTruncate);
  EXPECT_EQ(open_flags("a"), OpenFlags::kAppend | OpenFlags::kWrite | OpenFlags::kCreate);
  EXPECT_EQ(open_flags("x+"),
            OpenFlags::kWrite | OpenFlags::kCreate | OpenFlags::kExclusive | OpenFlags::kRead);
  for (const char* bad : {"", "q", "rw", "r++", "bb", "bt", "rb+t", "ra"})
    EXPECT_THROW(open_flags(bad), std::invalid_argument) << "mode '" << bad << "'";
}

TEST(OpenFlags, NormalizeRefusesUselessFlags) {
  EXPECT_EQ(lockstep::normalize(OpenFlags::kExclusive | OpenFlags::kWrite, "f"),
            OpenFlags::kExclusive | OpenFlags::kWrite | OpenFlags::kCreate);
  EXPECT_EQ(lockstep::normalize(OpenFlags::kAppend, "f"), OpenFlags::kAppend | OpenFlags::kWrite);
  try {
    lockstep::normalize(OpenFlags::kCreate, "f");
    ADD_FAILURE() << "no read, no write";
  } catch (const lockstep::OSError& e) {
    EXPECT_EQ(e.errno_value(), EINVAL);
  }
  try {
    lockstep::normalize(OpenFlags::kRead | OpenFlags::kTruncate, "f");
    ADD_FAILURE() << "truncate without write";
  } catch (const lockstep::OSError& e) {
    EXPECT_EQ(e.errno_value(), EINVAL);
    EXPECT_NE(std::string(e.what()).find("kTruncate needs kWrite"), std::string::npos) << e.what();
  }
}

TEST(FileSystemOf, NeedsARunningLoop) {
  EXPECT_THROW(lockstep::file_system(), lockstep::RuntimeError);
}

TEST(FileSystemOf, AVirtualLoopWithoutOneRefuses) {
  lockstep::Loop loop;
  EXPECT_THROW(lockstep::file_system_of(loop), lockstep::RuntimeError);
}

TEST(FileSystemOf, ARealLoopMakesRealFilesOnFirstUse) {
  lockstep::EpollDriver driver;
  lockstep::Loop loop({.driver = &driver});
  lockstep::FileSystem& fs = lockstep::file_system_of(loop);
  EXPECT_STREQ(fs.name(), "real");
  EXPECT_EQ(&lockstep::file_system_of(loop), &fs) << "made once";
}

TEST(FileSystemOf, SimulationInstallsSimulatedDisks) {
  auto run = lockstep::simulate(
      []() -> Coro<std::string> { co_return std::string(lockstep::file_system().name()); });
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), "simulated");
}

TEST(RealFileSystem, AMissingRootIsAnError) {
  try {
    lockstep::RealFileSystem fs("/nonexistent/lockstep/root");
    ADD_FAILURE() << "opened a root that does not exist";
  } catch (const lockstep::FileNotFoundError& e) {
    EXPECT_EQ(e.errno_value(), ENOENT);
  }
}

TEST(OpenFlags, AnInvalidModeThrowsAtTheCall) {
  auto run = lockstep::simulate([]() -> Coro<void> {
    std::string mode = "rw";
    EXPECT_THROW(static_cast<void>(lockstep::file_system().open("f", mode)), std::invalid_argument);
    co_return;
  });
  EXPECT_TRUE(run.outcome.ok());
}
