// Writes a few small real traces into the directory given as argv[1]: the fuzzer's
// starting corpus, so it mutates well-formed headers, decisions, events and logs.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "loop/lockstep.h"
#include "replay/replay_trace.h"
#include "sim/disk/sim_file_system.h"

namespace {

using namespace std::chrono_literals;

lockstep::Coro<int> program() {
  auto a = lockstep::create_task(
      []() -> lockstep::Coro<int> {
        co_await lockstep::sleep(std::chrono::milliseconds(lockstep::random_below(3)));
        lockstep::log("a woke");
        co_return 1;
      }(),
      "a");
  auto b = lockstep::create_task([]() -> lockstep::Coro<void> { co_await lockstep::sleep(1h); }());
  auto c = lockstep::create_task([]() -> lockstep::Coro<void> {
    co_await lockstep::sleep(1ms);
    throw std::runtime_error("c failed");
  }());
  const int v = co_await a;
  b.cancel("done");
  try {
    co_await c;
  } catch (const std::runtime_error&) {
  }
  co_return v;
}

// The simulated disk's decisions (disk_latency, disk_error, disk_crash) and their sites.
lockstep::Coro<int> disk_program() {
  lockstep::SimDisk& disk = lockstep::sim_file_system().disk("n1");
  lockstep::sim_file_system().set_disk_resolver([] { return std::string("n1"); });
  lockstep::DiskFaults faults;
  faults.latency_probability = 0.5;
  faults.fsync_error = 0.5;
  disk.set_faults(faults);
  lockstep::File f = co_await lockstep::file_system().open("wal", "a");
  co_await f.append(std::string(700, 'x'));
  try {
    co_await f.fsync();
  } catch (const lockstep::OSError&) {
  }
  co_await f.append("tail");
  disk.crash();
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seed_traces DIR\n");
    return 2;
  }
  const lockstep::Strategy kinds[] = {lockstep::Strategy::kFifo, lockstep::Strategy::kFaithful,
                                      lockstep::Strategy::kRandom, lockstep::Strategy::kPct};
  int n = 0;
  for (lockstep::Strategy kind : kinds) {
    lockstep::SimulationOptions o;
    o.seed = static_cast<std::uint64_t>(n);
    o.strategy.kind = kind;
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++) + ".trace";
    lockstep::record_trace(program, o, path, "fuzz.seed", {{"kind", to_string(kind)}});
  }
  {
    lockstep::SimulationOptions o;
    o.seed = 3;
    const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++) + ".trace";
    lockstep::record_trace(disk_program, o, path, "fuzz.seed.disk");
  }
  // A format-2 trace (no checksums), as older lockstep wrote them: a site, an event, a
  // decision, an End.
  auto record = [](const std::string& m) {
    return std::string(1, static_cast<char>(m.size())) + m;
  };
  const std::string v2 = std::string("LOCKSTEP-TRACE\n\0", 16) +
                         record(std::string("\x08\x02", 2) + "\x22\x06\x0a\x04" + "fifo") +
                         record(std::string("\x2a\x08\x08\x05\x12\x04", 6) + "a.cc") +
                         record(std::string("\x22\x05\x08\x01\x2a\x01", 6) + "w") +
                         record(std::string("\x0a\x06\x08\x07\x18\x0a\x20\x03", 8)) +
                         record(std::string("\x1a\x04\x08\x01\x28\x01", 6));
  const std::string v2_path = std::string(argv[1]) + "/seed-v2.trace";
  std::FILE* f = std::fopen(v2_path.c_str(), "wb");
  if (!f || std::fwrite(v2.data(), 1, v2.size(), f) != v2.size()) return 1;
  std::fclose(f);
  ++n;
  std::printf("wrote %d seed traces to %s\n", n, argv[1]);
}
