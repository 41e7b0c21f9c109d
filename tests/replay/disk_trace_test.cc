// The simulated disk in traces: its decisions (disk_latency, disk_error, disk_crash, kinds
// 16-18) are written and read back with the names of their sites, `lockstep show` prints
// them, and a recorded run with crashes and faults replays exactly from the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"
#include "sim/disk/sim_file_system.h"
#include "sim/simulation.h"

namespace lockstep {
namespace {

using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

Coro<std::string> wal() {
  FileSystem& fs = file_system();
  SimDisk& disk = sim_file_system().disk("n2");
  sim_file_system().set_disk_resolver([] { return std::string("n2"); });
  DiskFaults faults;
  faults.latency_probability = 1;
  faults.max_latency = std::chrono::milliseconds(1);
  faults.fsync_error = 0.3;
  disk.set_faults(faults);
  std::string log;
  for (int i = 0; i < 5; ++i) {
    File f = co_await fs.open("wal", "a+");
    co_await f.append("entry " + std::to_string(i) + "\n");
    try {
      co_await f.fsync();
    } catch (const OSError&) {
      log += "fsync failed ";
    }
    disk.crash();
    File g = co_await fs.open("wal", "a+");
    log += std::to_string((co_await g.read_all()).size()) + " ";
  }
  co_return log;
}

TEST(DiskTrace, DiskDecisionsAreWrittenNamedAndReplayed) {
  const std::string path = temp_path("disk.trace");
  SimulationOptions o;
  o.seed = 11;
  auto run = record_trace(wal, o, path, "wal");
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  Trace t = read_trace(path);
  std::size_t latency = 0, errors = 0, crashes = 0;
  for (const Decision& d : t.decisions) {
    latency += d.kind == DecisionKind::kDiskLatency;
    errors += d.kind == DecisionKind::kDiskError;
    crashes += d.kind == DecisionKind::kDiskCrash;
  }
  EXPECT_GT(latency, 0u);
  EXPECT_GT(errors, 0u);
  EXPECT_GT(crashes, 0u);
  EXPECT_EQ(t.decisions, run.decisions.to_vector());
  std::string shown;
  for (const TimelineEntry& e : timeline(t)) shown += e.who + "  " + e.what + "\n";
  EXPECT_THAT(shown, HasSubstr("disk_latency site=disk 'n2': fsync of 'wal' bound=1000000"));
  EXPECT_THAT(shown, HasSubstr("disk_error site=disk 'n2': EIO on fsync of 'wal' bound=2"));
  EXPECT_THAT(shown, HasSubstr("disk_crash site=crash of disk 'n2': "));
  auto again = replay_trace(wal, path, "wal");
  EXPECT_FALSE(again.divergence) << again.divergence->report();
  ASSERT_TRUE(again.outcome.ok());
  EXPECT_EQ(again.outcome.value(), run.outcome.value());
}

}  // namespace
}  // namespace lockstep
