// The simulated disk: what a crash keeps, loses and tears; the faults; time; disks by
// name; decisions, their sites and their shrink summaries. Most runs use the fifo
// strategy with explicit choices, so the disk's decisions are the run's only ones and
// each test picks their values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <iostream>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/disk/sim_file_system.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::Decision;
using lockstep::DecisionKind;
using lockstep::File;
using lockstep::FileSystem;
using lockstep::SimDisk;
using ::testing::HasSubstr;

namespace {

// Runs program() with the strategy fifo (no decision but the disk's) taking `choices`
// as the disk's decisions, in order.
template <class F>
auto run_with(F program, std::vector<std::uint64_t> choices = {}) {
  lockstep::SimulationOptions o;
  o.strategy.kind = lockstep::Strategy::kFifo;
  return lockstep::simulate_choices(program, std::move(choices), o);
}

template <class R>
std::vector<Decision> of_kind(const R& run, DecisionKind kind) {
  std::vector<Decision> out;
  for (const Decision& d : run.decisions.to_vector())
    if (d.kind == kind) out.push_back(d);
  return out;
}

template <class R>
std::string site_name(const R& run, const Decision& d) {
  const auto it = run.site_names.find(d.site);
  return it == run.site_names.end() ? std::string("?") : it->second;
}

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

// The error message of what `c` raised, or "".
template <class T>
Coro<std::string> error_of(Coro<T> c) {
  std::string what;
  try {
    co_await std::move(c);
  } catch (const std::exception& e) {
    what = e.what();
  }
  co_return what;
}

// A file whose name is durable, with `data` durable in it.
Coro<File> durable_file(std::string path, std::string data) {
  FileSystem& fs = lockstep::file_system();
  File f = co_await fs.open(path, "w+");
  co_await fs.fsync_dir(".");
  co_await f.write(0, std::move(data));
  co_await f.fsync();
  co_return f;
}

// The file's contents now, or "<absent>".
Coro<std::string> contents(std::string path) {
  FileSystem& fs = lockstep::file_system();
  if (!co_await fs.exists(path)) co_return "<absent>";
  File f = co_await fs.open(path);
  std::string s = co_await f.read_all();
  co_await f.close();
  co_return s;
}

// Durable "durable", then two unsynced writes, then a crash with the given fate.
Coro<std::string> crash_after_unsynced_writes() {
  File f = co_await durable_file("f", "durable");
  co_await f.write(7, "-one");
  co_await f.write(11, "-two");
  lockstep::sim_file_system().disk().crash();
  co_return co_await contents("f");
}

Coro<void> sleep_and_note(lockstep::Duration d, lockstep::TimePoint& woke) {
  co_await lockstep::sleep(d);
  woke = lockstep::Loop::current()->time();
}

Coro<void> ask_for_sim_file_system() {
  lockstep::sim_file_system();
  co_return;
}

}  // namespace

TEST(SimDiskCrash, DecisionZeroKeepsUnsyncedWrites) {
  auto run = run_with(crash_after_unsynced_writes);
  ASSERT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "durable-one-two");
  const auto crash = of_kind(run, DecisionKind::kDiskCrash);
  ASSERT_EQ(crash.size(), 1u) << "one file with unsynced writes, no unsynced directory";
  EXPECT_EQ(crash[0].bound, 3u) << "kept, lost, or the last write (one sector) torn";
  EXPECT_EQ(site_name(run, crash[0]), "crash of the disk: unsynced writes to 'f'");
}

TEST(SimDiskCrash, OneLosesEveryWriteSinceTheLastFsync) {
  auto run = run_with(crash_after_unsynced_writes, {1});
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), "durable");
}

TEST(SimDiskCrash, TornKeepsEarlierWritesAndWholeSectorsOfTheLast) {
  // 2048 durable bytes; unsynced: 50 bytes at 100, then 1000 bytes at 300 (sectors 0-2).
  auto program = []() -> Coro<std::string> {
    File f = co_await durable_file("f", std::string(2048, 'a'));
    co_await f.write(100, std::string(50, 'b'));
    co_await f.write(300, std::string(1000, 'c'));
    lockstep::sim_file_system().disk().crash();
    co_return co_await contents("f");
  };
  std::string base(2048, 'a');
  base.replace(100, 50, std::string(50, 'b'));
  for (std::uint64_t k = 0; k < 3; ++k) {
    auto run = run_with(program, {2 + k});
    ASSERT_TRUE(run.outcome.ok());
    const auto crash = of_kind(run, DecisionKind::kDiskCrash);
    ASSERT_EQ(crash.size(), 1u);
    EXPECT_EQ(crash[0].bound, 5u) << "2 + the 3 sectors the last write touches";
    std::string expected = base;
    const std::size_t cut = k == 0 ? 300 : 512 * k;
    expected.replace(300, cut - 300, std::string(cut - 300, 'c'));
    EXPECT_EQ(run.outcome.value(), expected) << "torn after " << k << " sectors";
  }
}

TEST(SimDiskCrash, ATornExtendingWriteLeavesTheFileAtASectorBoundary) {
  auto program = []() -> Coro<std::string> {
    File f = co_await durable_file("f", std::string(1000, 'x'));
    co_await f.append(std::string(600, 'y'));  // bytes 1000-1599: sectors 1, 2, 3
    lockstep::sim_file_system().disk().crash();
    co_return co_await contents("f");
  };
  auto run = run_with(program, {3});  // torn after 1 sector
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), std::string(1000, 'x') + std::string(24, 'y'));
  auto none = run_with(program, {2});  // torn after 0 sectors: none of the last write
  EXPECT_EQ(none.outcome.value(), std::string(1000, 'x'));
}

TEST(SimDiskCrash, DurableDataSurvivesEveryFate) {
  for (std::uint64_t fate = 0; fate < 3; ++fate) {
    auto run = run_with(crash_after_unsynced_writes, {fate});
    ASSERT_TRUE(run.outcome.ok());
    EXPECT_TRUE(run.outcome.value().starts_with("durable")) << "fate " << fate;
  }
}

TEST(SimDiskCrash, AFileCreatedWithoutFsyncDirMayVanish) {
  auto program = []() -> Coro<std::string> {
    FileSystem& fs = lockstep::file_system();
    File f = co_await fs.open("new", "w");
    co_await f.write(0, "data");
    co_await f.fsync();  // the data is durable; the name is not
    lockstep::sim_file_system().disk().crash();
    co_return co_await contents("new");
  };
  auto undone = run_with(program, {1});
  ASSERT_TRUE(undone.outcome.ok());
  EXPECT_EQ(undone.outcome.value(), "<absent>");
  const auto crash = of_kind(undone, DecisionKind::kDiskCrash);
  ASSERT_EQ(crash.size(), 1u) << "the directory's fate; a file that is gone has none";
  EXPECT_EQ(crash[0].bound, 2u);
  EXPECT_EQ(site_name(undone, crash[0]), "crash of the disk: unsynced changes to directory '.'");
  auto kept = run_with(program, {0});
  EXPECT_EQ(kept.outcome.value(), "data");
}

// The classic: write a new version, fsync it, rename it over the old one, and forget to
// fsync the directory. A crash may bring back the old version.
TEST(SimDiskCrash, RenameWithoutFsyncDirMayBeUndone) {
  auto program = [](bool sync_dir) {
    return [sync_dir]() -> Coro<std::string> {
      FileSystem& fs = lockstep::file_system();
      File old = co_await durable_file("db", "v1");
      co_await old.close();
      File tmp = co_await fs.open("db.tmp", "w");
      co_await tmp.write(0, "v2");
      co_await tmp.fsync();
      co_await tmp.close();
      co_await fs.rename("db.tmp", "db");
      if (sync_dir) co_await fs.fsync_dir(".");
      lockstep::sim_file_system().disk().crash();
      co_return co_await contents("db") + "|" + co_await contents("db.tmp");
    };
  };
  auto undone = run_with(program(false), {1});
  ASSERT_TRUE(undone.outcome.ok());
  EXPECT_EQ(undone.outcome.value(), "v1|<absent>") << "the rename and the create undone";
  auto kept = run_with(program(false), {0});
  EXPECT_EQ(kept.outcome.value(), "v2|<absent>");
  auto synced = run_with(program(true), {1, 1, 1});
  ASSERT_TRUE(synced.outcome.ok());
  EXPECT_EQ(synced.outcome.value(), "v2|<absent>") << "after fsync_dir nothing is undone";
  EXPECT_TRUE(of_kind(synced, DecisionKind::kDiskCrash).empty()) << "nothing left to decide";
}

TEST(SimDiskCrash, AnUnlinkWithoutFsyncDirMayBeUndone) {
  auto program = []() -> Coro<std::string> {
    File f = co_await durable_file("f", "back");
    co_await f.close();
    co_await lockstep::file_system().unlink("f");
    lockstep::sim_file_system().disk().crash();
    co_return co_await contents("f");
  };
  EXPECT_EQ(run_with(program, {1}).outcome.value(), "back");
  EXPECT_EQ(run_with(program, {0}).outcome.value(), "<absent>");
}

// A rename between directories is one change of both: it survives whole or not at all.
TEST(SimDiskCrash, ARenameAcrossDirectoriesIsNeverLostNorDoubled) {
  auto program = [](bool sync_target) {
    return [sync_target]() -> Coro<std::string> {
      FileSystem& fs = lockstep::file_system();
      co_await fs.mkdir("a");
      co_await fs.mkdir("b");
      co_await fs.fsync_dir(".");
      File f = co_await fs.open("a/f", "w");
      co_await f.write(0, "data");
      co_await f.fsync();
      co_await f.close();
      co_await fs.fsync_dir("a");
      co_await fs.rename("a/f", "b/g");
      if (sync_target) co_await fs.fsync_dir("b");
      lockstep::sim_file_system().disk().crash();
      co_return co_await contents("a/f") + "|" + co_await contents("b/g");
    };
  };
  const char* expected[4] = {"<absent>|data", "data|<absent>", "data|<absent>", "data|<absent>"};
  for (std::uint64_t a = 0; a < 2; ++a) {
    for (std::uint64_t b = 0; b < 2; ++b) {
      auto run = run_with(program(false), {a, b});  // a's fate, then b's (creation order)
      ASSERT_TRUE(run.outcome.ok());
      EXPECT_EQ(run.outcome.value(), expected[a * 2 + b]) << "a " << a << ", b " << b;
    }
  }
  auto synced = run_with(program(true), {1, 1});
  EXPECT_EQ(synced.outcome.value(), "<absent>|data") << "fsync_dir of the target persists it";
}

TEST(SimDiskCrash, HandlesFromBeforeACrashAreDead) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", "x");
    lockstep::sim_file_system().disk().crash();
    EXPECT_EQ(co_await errno_of(f.read_all()), EBADF);
    EXPECT_THAT(co_await error_of(f.write(0, "y")), HasSubstr("was open when the disk crashed"));
    EXPECT_EQ(co_await errno_of(f.fsync()), EBADF);
    EXPECT_EQ(co_await errno_of(f.close()), EBADF);
    EXPECT_EQ(co_await contents("f"), "x") << "a new open works";
    EXPECT_EQ(lockstep::sim_file_system().disk().crashes(), 1u);
  };
  auto run = run_with(program);
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
}

TEST(SimDiskCrash, AnOperationInFlightFailsWithEIO) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", "x");
    co_await f.write(1, "y");
    auto sync = lockstep::create_task(errno_of(f.fsync()));  // takes 500us
    co_await lockstep::sleep(100us);
    lockstep::sim_file_system().disk().crash();
    EXPECT_EQ(co_await sync, EIO);
  };
  auto run = run_with(program);
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
}

TEST(SimDiskFaults, FsyncEioDropsTheWritesItFailedToPersist) {
  auto program = []() -> Coro<void> {
    SimDisk& disk = lockstep::sim_file_system().disk();
    File f = co_await durable_file("f", "safe");
    co_await f.write(4, "+lost");
    lockstep::DiskFaults faults;
    faults.fsync_error = 0.5;
    disk.set_faults(faults);
    EXPECT_THAT(co_await error_of(f.fsync()), HasSubstr("[Errno 5] fsync 'f'"));
    disk.set_faults({});
    EXPECT_EQ(co_await f.read_all(), "safe+lost") << "still in the page cache";
    co_await f.fsync();  // succeeds: the failed writes are no longer dirty
    EXPECT_EQ(disk.durable_contents("f"), "safe");
    disk.crash();
    EXPECT_EQ(co_await contents("f"), "safe") << "the crash loses them";
  };
  auto run = run_with(program, {1});
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  const auto errors = of_kind(run, DecisionKind::kDiskError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(site_name(run, errors[0]), "the disk: EIO on fsync of 'f'");
}

TEST(SimDiskFaults, AWriteErrorWritesNothing) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", "before");
    lockstep::DiskFaults faults;
    faults.write_error = 0.5;
    lockstep::sim_file_system().disk().set_faults(faults);
    EXPECT_EQ(co_await errno_of(f.write(0, "AFTER!")), EIO);
    EXPECT_EQ(co_await f.read_all(), "before");
    co_await f.write(0, "B");  // the next draw: 0, no fault
    EXPECT_EQ(co_await f.read_all(), "Before");
  };
  auto run = run_with(program, {1, 0});
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  EXPECT_EQ(of_kind(run, DecisionKind::kDiskError).size(), 2u) << "one decision per write";
}

TEST(SimDiskFaults, ACapacityFillsUp) {
  auto program = []() -> Coro<void> {
    FileSystem& fs = lockstep::file_system();
    SimDisk& disk = lockstep::sim_file_system().disk();
    lockstep::DiskFaults faults;
    faults.capacity = 1000;
    disk.set_faults(faults);
    File a = co_await fs.open("a", "w");
    co_await a.write(0, std::string(600, 'a'));
    File b = co_await fs.open("b", "w");
    EXPECT_THAT(co_await error_of(b.write(0, std::string(600, 'b'))),
                HasSubstr("[Errno 28] write 'b' (the disk holds 1000 bytes, 600 in use): No "
                          "space left on device"));
    co_await b.write(0, std::string(400, 'b'));  // exactly full
    EXPECT_EQ(disk.used_bytes(), 1000u);
    co_await a.write(0, std::string(600, 'A'));  // an overwrite needs no room
    EXPECT_EQ(co_await errno_of(a.truncate(601)), ENOSPC);
    co_await a.close();
    co_await fs.unlink("a");
    EXPECT_EQ(disk.used_bytes(), 400u) << "an unlinked file's bytes are free";
    co_await b.append(std::string(600, 'b'));
    co_await b.close();
  };
  auto run = run_with(program);
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  EXPECT_TRUE(run.decisions.empty()) << "a full disk is the world's state, not a decision";
}

TEST(SimDiskFaults, InjectedNoSpaceHitsOnlyGrowingWrites) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", "12345");
    lockstep::DiskFaults faults;
    faults.no_space = 0.5;
    lockstep::sim_file_system().disk().set_faults(faults);
    co_await f.write(0, "abc");  // within the file: no decision
    EXPECT_EQ(co_await errno_of(f.append("more")), ENOSPC);
    EXPECT_EQ(co_await f.read_all(), "abc45");
  };
  auto run = run_with(program, {1});
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  const auto errors = of_kind(run, DecisionKind::kDiskError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(site_name(run, errors[0]), "the disk: ENOSPC on write to 'f'");
}

TEST(SimDiskFaults, ALatentSectorErrorLastsUntilTheSectorIsRewritten) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", std::string(2048, 's'));
    lockstep::DiskFaults faults;
    faults.read_error = 0.5;
    lockstep::sim_file_system().disk().set_faults(faults);
    // The first read's decision: 3 = the third sector of the read (bytes 1024-1535) goes bad.
    EXPECT_THAT(co_await error_of(f.read(0, 2048)),
                HasSubstr("read 'f' (latent sector error at byte 1024 on the disk): Input/output "
                          "error"));
    EXPECT_EQ(co_await f.read(0, 1024), std::string(1024, 's')) << "other sectors read";
    EXPECT_EQ(co_await errno_of(f.read(1500, 10)), EIO) << "the sector stays bad";
    co_await f.write(1024, std::string(512, 'n'));  // the drive remaps it
    EXPECT_EQ(co_await f.read(1020, 8), "ssssnnnn");
  };
  auto run = run_with(program, {3});
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  const auto errors = of_kind(run, DecisionKind::kDiskError);
  ASSERT_EQ(errors.size(), 4u) << "one decision per read";
  EXPECT_EQ(errors[0].bound, 5u) << "4 sectors read, plus 'none'";
  EXPECT_EQ(site_name(run, errors[0]), "the disk: latent sector error reading 'f'");
}

TEST(SimDiskTime, OperationsTakeVirtualTimeAndInterleave) {
  auto program = []() -> Coro<void> {
    lockstep::Loop& loop = *lockstep::Loop::current();
    FileSystem& fs = lockstep::file_system();
    const lockstep::TimePoint t0 = loop.time();
    File f = co_await fs.open("f", "w");
    EXPECT_EQ(loop.time() - t0, 10us) << "the default io latency";
    co_await f.write(0, "x");
    EXPECT_EQ(loop.time() - t0, 20us);
    lockstep::TimePoint woke{};
    auto sleeper = lockstep::create_task(sleep_and_note(100us, woke));
    co_await f.fsync();
    EXPECT_EQ(loop.time() - t0, 520us) << "the default fsync latency";
    EXPECT_EQ(woke - t0, 120us) << "another task ran while the fsync was in flight";
    co_await sleeper;
  };
  auto run = run_with(program);
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
}

TEST(SimDiskTime, LatencyFaultsAreDurationDecisions) {
  auto program = []() -> Coro<void> {
    lockstep::Loop& loop = *lockstep::Loop::current();
    File f = co_await durable_file("f", "x");
    lockstep::DiskFaults faults;
    faults.latency_probability = 1;
    faults.max_latency = 5ms;
    lockstep::sim_file_system().disk().set_faults(faults);
    const lockstep::TimePoint t0 = loop.time();
    co_await f.fsync();
    EXPECT_EQ(loop.time() - t0, 500us + 3ms);
  };
  auto run = run_with(program, {3'000'000});
  EXPECT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  const auto latency = of_kind(run, DecisionKind::kDiskLatency);
  ASSERT_EQ(latency.size(), 1u);
  EXPECT_EQ(latency[0].bound, 5'000'000u);
  EXPECT_EQ(site_name(run, latency[0]), "the disk: fsync of 'f'");
  EXPECT_TRUE(lockstep::is_duration(DecisionKind::kDiskLatency));
}

TEST(SimDiskTime, ACancelledWriteStillLands) {
  auto program = []() -> Coro<std::string> {
    File f = co_await lockstep::file_system().open("f", "w+");
    auto write = lockstep::create_task(f.write(0, "landed"));
    co_await lockstep::sleep(1us);
    write.cancel();
    EXPECT_THROW(co_await write, lockstep::CancelledError);
    co_await lockstep::sleep(1ms);
    co_return co_await f.read_all();
  };
  auto run = run_with(program);
  ASSERT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "landed") << "I/O in flight completes";
}

TEST(SimDisks, EachNameIsItsOwnDiskAndTheResolverPicks) {
  auto program = []() -> Coro<std::string> {
    lockstep::SimFileSystem& sim = lockstep::sim_file_system();
    FileSystem& fs = lockstep::file_system();
    std::string node = "n1";
    sim.set_disk_resolver([&node] { return node; });
    File one = co_await fs.open("wal", "w");
    co_await one.write(0, "on n1");
    node = "n2";
    File two = co_await fs.open("wal", "w+");
    co_await two.write(0, "on n2");
    co_await fs.open("only-n2", "w");
    EXPECT_EQ(sim.disk_names(), std::vector<std::string>({"n1", "n2"}));
    sim.disk("n1").crash();
    EXPECT_EQ(co_await errno_of(one.read_all()), EBADF);
    EXPECT_EQ(co_await two.read_all(), "on n2") << "n2 did not crash";
    node = "n1";
    EXPECT_FALSE(co_await fs.exists("only-n2"));
    sim.set_disk_resolver(nullptr);
    co_return co_await contents("wal");
  };
  auto run = run_with(program, {0, 0});
  ASSERT_TRUE(run.outcome.ok()) << lockstep::describe_exception(run.outcome.exception());
  EXPECT_EQ(run.outcome.value(), "<absent>") << "the default disk \"\" is a third one";
  const auto crash = of_kind(run, DecisionKind::kDiskCrash);
  ASSERT_EQ(crash.size(), 2u);
  EXPECT_EQ(site_name(run, crash[0]), "crash of disk 'n1': unsynced changes to directory '.'");
  EXPECT_EQ(site_name(run, crash[1]), "crash of disk 'n1': unsynced writes to 'wal'");
}

TEST(SimDisks, OutsideASimulationThereIsNoSimFileSystem) {
  EXPECT_THROW(lockstep::sim_file_system(), lockstep::RuntimeError);
  lockstep::EpollDriver driver;
  lockstep::Loop loop({.driver = &driver});
  EXPECT_THROW(loop.run_until_complete(ask_for_sim_file_system()), lockstep::RuntimeError);
}

TEST(SimDisks, NoFaultNoDecision) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("f", "x");
    for (int i = 0; i < 10; ++i) co_await f.append("y");
    co_await f.read_all();
    co_await f.fsync();
  };
  auto run = run_with(program);
  EXPECT_TRUE(run.outcome.ok());
  EXPECT_TRUE(run.decisions.empty()) << "faults are off by default; nothing crashed";
}

// A test that fails when a crash loses data shrinks to the one decision that loses it,
// named by disk and file.
TEST(SimDiskShrink, TheSummaryNamesTheLostFile) {
  auto program = []() -> Coro<void> {
    File f = co_await durable_file("wal", "1");
    co_await f.append("2");  // never fsynced: the bug
    lockstep::sim_file_system().disk().crash();
    if (co_await contents("wal") != "12") throw std::runtime_error("acknowledged entry 2 is gone");
  };
  lockstep::SimulationOptions o;
  std::vector<Decision> failing;
  for (std::uint64_t seed = 0; seed < 200 && failing.empty(); ++seed) {
    o.seed = seed;
    auto run = lockstep::simulate(program, o);
    if (!run.outcome.ok() && of_kind(run, DecisionKind::kDiskCrash).at(0).value == 1)
      failing = run.decisions.to_vector();
  }
  ASSERT_FALSE(failing.empty()) << "no seed lost the write";
  auto shrunk = lockstep::shrink(program, failing, o);
  ASSERT_TRUE(shrunk.failed);
  EXPECT_EQ(shrunk.non_default_after, 1u) << shrunk.summary;
  EXPECT_THAT(shrunk.summary, HasSubstr("crash of the disk: unsynced writes to 'wal' lost"));
  std::cout << shrunk.summary;  // as docs/disk.md shows it
}

TEST(SimDiskDeterminism, FaultsAndCrashesReplayExactly) {
  auto program = []() -> Coro<std::string> {
    FileSystem& fs = lockstep::file_system();
    SimDisk& disk = lockstep::sim_file_system().disk();
    lockstep::DiskFaults faults;
    faults.latency_probability = 0.3;
    faults.write_error = 0.1;
    faults.fsync_error = 0.1;
    faults.no_space = 0.1;
    faults.read_error = 0.05;
    disk.set_faults(faults);
    std::string log;
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 4; ++i) {
        const std::string name = "f" + std::to_string(i);
        try {
          File f = co_await fs.open(name, "a+");
          co_await f.append(std::string(300 + 100 * i, static_cast<char>('a' + round)));
          if (i % 2) co_await f.fsync();
          log += name + ":" + std::to_string((co_await f.read_all()).size()) + " ";
        } catch (const lockstep::OSError& e) {
          log += name + ":errno " + std::to_string(e.errno_value()) + " ";
        }
      }
      if (round == 1) {
        try {
          co_await fs.fsync_dir(".");
        } catch (const lockstep::OSError& e) {
          log += "fsync_dir:errno " + std::to_string(e.errno_value()) + " ";
        }
      }
      disk.crash();
      for (const std::string& n : co_await fs.list(".")) log += n + " ";
    }
    co_return log;
  };
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    lockstep::SimulationOptions o;
    o.seed = seed;
    auto first = lockstep::simulate(program, o);
    auto again = lockstep::simulate(program, o);
    ASSERT_TRUE(first.outcome.ok()) << lockstep::describe_exception(first.outcome.exception());
    EXPECT_EQ(first.outcome.value(), again.outcome.value()) << "seed " << seed;
    EXPECT_EQ(first.decisions.to_vector(), again.decisions.to_vector()) << "seed " << seed;
    auto replayed = lockstep::replay(program, first.decisions, o);
    EXPECT_FALSE(replayed.divergence) << replayed.divergence->report();
    ASSERT_TRUE(replayed.outcome.ok());
    EXPECT_EQ(replayed.outcome.value(), first.outcome.value()) << "seed " << seed;
    const auto check = lockstep::check_determinism(program, o);
    EXPECT_TRUE(check.deterministic) << check.report;
  }
}
