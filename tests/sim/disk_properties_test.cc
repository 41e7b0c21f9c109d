// Properties of the simulated disk (RapidCheck): random writes, appends, truncates and
// fsyncs on a few files, with crashes in between, every crash decision (and every fault,
// when faults are on) taken from a generated schedule, so RapidCheck explores and shrinks
// the crashes together with the operations.
//   (a) Durable data survives any crash exactly: every byte an fsync made durable, and no
//       later write or truncate touched, is there after the crash.
//   (b) After a crash each file holds one of the allowed outcomes: all its unsynced
//       writes kept, all lost, or every one but the last kept and the last torn at a
//       512-byte sector boundary. Before it, reads see exactly the page cache.
//   (c) Determinism: the same seed gives the same outcome and decisions, and replaying
//       the recorded decisions reproduces it without divergence.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "sim/disk/sim_file_system.h"
#include "sim/simulation.h"
#include "sim/testing/rapidcheck.h"

namespace lockstep {
namespace {

constexpr int kFiles = 3;
constexpr std::uint64_t kSector = 512;

struct Op {
  enum class Kind : std::uint8_t { kWrite, kAppend, kTruncate, kFsync, kCrash } kind;
  int file = 0;
  std::uint32_t offset = 0;  // kWrite: where; kTruncate: the size
  std::uint32_t length = 0;  // kWrite, kAppend
  char byte = 'a';
};

struct Scenario {
  std::vector<Op> ops;
  bool faults = false;  // EIO on writes and fsyncs, ENOSPC, latencies: decided too
};

void showValue(const Scenario& s, std::ostream& os) {
  os << (s.faults ? "with faults\n" : "no faults\n");
  for (const Op& op : s.ops) {
    switch (op.kind) {
      case Op::Kind::kWrite:
        os << "write f" << op.file << " @" << op.offset << " " << op.length << "x'" << op.byte
           << "'\n";
        break;
      case Op::Kind::kAppend:
        os << "append f" << op.file << " " << op.length << "x'" << op.byte << "'\n";
        break;
      case Op::Kind::kTruncate:
        os << "truncate f" << op.file << " to " << op.offset << "\n";
        break;
      case Op::Kind::kFsync:
        os << "fsync f" << op.file << "\n";
        break;
      case Op::Kind::kCrash:
        os << "crash\n";
        break;
    }
  }
}

rc::Gen<Op> gen_op() {
  return rc::gen::apply(
      [](int kind, int file, std::uint32_t offset, std::uint32_t length, char byte) {
        Op op;
        // Writes and appends most often; a crash now and then (and one at the end).
        op.kind = kind < 4   ? Op::Kind::kWrite
                  : kind < 6 ? Op::Kind::kAppend
                  : kind < 7 ? Op::Kind::kTruncate
                  : kind < 9 ? Op::Kind::kFsync
                             : Op::Kind::kCrash;
        op.file = file;
        op.offset = offset;
        op.length = length;
        op.byte = byte;
        return op;
      },
      rc::gen::inRange(0, 10), rc::gen::inRange(0, kFiles),
      rc::gen::inRange<std::uint32_t>(0, 3000), rc::gen::inRange<std::uint32_t>(1, 1500),
      rc::gen::inRange('a', 'z'));
}

rc::Gen<Scenario> gen_scenario(bool faults) {
  return rc::gen::map(rc::gen::container<std::vector<Op>>(gen_op()), [faults](std::vector<Op> ops) {
    return Scenario{std::move(ops), faults};
  });
}

// The test's own model of one file: its durable bytes, the page cache, and the writes
// since the last fsync.
struct Write {
  bool truncate = false;
  std::uint64_t offset = 0;  // or the size
  std::string data;
};

void apply_write(std::string& s, const Write& w) {
  if (w.truncate) {
    s.resize(w.offset, '\0');
    return;
  }
  if (s.size() < w.offset + w.data.size()) s.resize(w.offset + w.data.size(), '\0');
  s.replace(w.offset, w.data.size(), w.data);
}

struct Model {
  std::string durable;
  std::string cache;
  std::vector<Write> unsynced;
};

// (b): what a crash may leave of a file.
std::vector<std::string> allowed_outcomes(const Model& m) {
  std::vector<std::string> out{m.durable};
  if (m.unsynced.empty()) return out;
  std::string base = m.durable;
  for (std::size_t i = 0; i + 1 < m.unsynced.size(); ++i) apply_write(base, m.unsynced[i]);
  std::string all = base;
  apply_write(all, m.unsynced.back());
  out.push_back(all);
  const Write& last = m.unsynced.back();
  if (last.truncate) {
    out.push_back(base);
    return out;
  }
  const std::uint64_t first = last.offset / kSector;
  const std::uint64_t end = last.offset + last.data.size();
  const std::uint64_t sectors = (end - 1) / kSector - first + 1;
  for (std::uint64_t k = 0; k < sectors; ++k) {
    const std::uint64_t cut = k == 0 ? last.offset : std::min(end, (first + k) * kSector);
    std::string torn = base;
    if (cut > last.offset)
      apply_write(torn, Write{false, last.offset, last.data.substr(0, cut - last.offset)});
    out.push_back(torn);
  }
  return out;
}

// (a): every durable byte no unsynced write or truncate touched is still there.
void check_durable_bytes(const Model& m, const std::string& after, const std::string& name) {
  std::vector<bool> touched(m.durable.size(), false);
  for (const Write& w : m.unsynced) {
    const std::uint64_t from = w.offset;
    const std::uint64_t to = w.truncate ? m.durable.size() : w.offset + w.data.size();
    for (std::uint64_t p = from; p < to && p < touched.size(); ++p) touched[p] = true;
  }
  for (std::size_t p = 0; p < m.durable.size(); ++p) {
    if (touched[p]) continue;
    RC_ASSERT(p < after.size());
    if (after[p] != m.durable[p]) {
      RC_FAIL("durable byte " + std::to_string(p) + " of " + name + " changed by the crash");
    }
  }
}

// Runs the scenario; returns a transcript (what each operation returned or raised).
Coro<std::string> run_scenario(Scenario sc) {
  FileSystem& fs = file_system();
  SimDisk& disk = sim_file_system().disk();
  std::vector<File> files;
  std::vector<Model> models(kFiles);
  for (int i = 0; i < kFiles; ++i) files.push_back(co_await fs.open("f" + std::to_string(i), "w+"));
  co_await fs.fsync_dir(".");  // the names are durable: only data is at stake
  if (sc.faults) {
    DiskFaults faults;
    faults.latency_probability = 0.2;
    faults.max_latency = std::chrono::milliseconds(2);
    faults.write_error = 0.1;
    faults.fsync_error = 0.1;
    faults.no_space = 0.05;
    disk.set_faults(faults);
  }
  std::string transcript;
  sc.ops.push_back(Op{Op::Kind::kCrash});  // every scenario ends in a crash
  for (const Op& op : sc.ops) {
    Model& m = models[static_cast<std::size_t>(op.file)];
    File& f = files[static_cast<std::size_t>(op.file)];
    const std::string name = "f" + std::to_string(op.file);
    int error = 0;
    try {
      switch (op.kind) {
        case Op::Kind::kWrite: {
          Write w{false, op.offset, std::string(op.length, op.byte)};
          co_await f.write(w.offset, w.data);
          apply_write(m.cache, w);
          m.unsynced.push_back(std::move(w));
          break;
        }
        case Op::Kind::kAppend: {
          Write w{false, m.cache.size(), std::string(op.length, op.byte)};
          const std::uint64_t at = co_await f.append(w.data);
          RC_ASSERT(at == w.offset);
          apply_write(m.cache, w);
          m.unsynced.push_back(std::move(w));
          break;
        }
        case Op::Kind::kTruncate: {
          Write w{true, op.offset, {}};
          co_await f.truncate(w.offset);
          if (w.offset != m.cache.size()) {
            apply_write(m.cache, w);
            m.unsynced.push_back(std::move(w));
          }
          break;
        }
        case Op::Kind::kFsync:
          try {
            co_await f.fsync();
          } catch (const OSError&) {
            m.unsynced.clear();  // as Linux: the writes it failed to persist are dropped
            throw;
          }
          for (const Write& w : m.unsynced) apply_write(m.durable, w);
          m.unsynced.clear();
          break;
        case Op::Kind::kCrash:
          break;
      }
    } catch (const OSError& e) {
      error = e.errno_value();
      RC_ASSERT(sc.faults);  // only injected faults fail
    }
    transcript += error ? "e" + std::to_string(error) + " " : "ok ";
    if (op.kind != Op::Kind::kCrash) continue;
    // Before the crash: reads see the page cache.
    disk.set_faults({});
    for (int i = 0; i < kFiles; ++i) {
      const std::string cached = co_await files[static_cast<std::size_t>(i)].read_all();
      RC_ASSERT(cached == models[static_cast<std::size_t>(i)].cache);
    }
    disk.crash();
    for (int i = 0; i < kFiles; ++i) {
      Model& model = models[static_cast<std::size_t>(i)];
      const std::string file = "f" + std::to_string(i);
      files[static_cast<std::size_t>(i)] = co_await fs.open(file, "r+");
      const std::string after = co_await files[static_cast<std::size_t>(i)].read_all();
      check_durable_bytes(model, after, file);  // (a)
      const std::vector<std::string> allowed = allowed_outcomes(model);
      if (std::find(allowed.begin(), allowed.end(), after) == allowed.end())  // (b)
        RC_FAIL(file + " after the crash (" + std::to_string(after.size()) +
                " bytes) is none of the " + std::to_string(allowed.size()) + " allowed outcomes");
      model = Model{after, after, {}};
      transcript += std::to_string(after.size()) + " ";
    }
    if (sc.faults) {
      DiskFaults faults;
      faults.write_error = 0.1;
      faults.fsync_error = 0.1;
      faults.no_space = 0.05;
      disk.set_faults(faults);
    }
  }
  co_return transcript;
}

// The fifo strategy: the disk's decisions are the run's only ones, so the schedule's
// choices all land on crash fates (and faults); half of them non-zero (gen_schedule's
// default weight would leave most crashes perfect).
SimulationOptions disk_only() {
  SimulationOptions o;
  o.strategy.kind = Strategy::kFifo;
  return o;
}

template <class R>
void classify(const R& run) {
  std::size_t lost = 0, torn = 0;
  for (const Decision& d : run.decisions.to_vector()) {
    if (d.kind != DecisionKind::kDiskCrash || d.bound < 3) continue;
    lost += d.value == 1;
    torn += d.value >= 2;
  }
  RC_CLASSIFY(lost > 0, "a crash lost writes");
  RC_CLASSIFY(torn > 0, "a crash tore a write");
}

RC_GTEST_PROP(DiskProperties, DurableDataSurvivesAnyCrashAndOutcomesAreAllowed, ()) {
  const auto [scenario, schedule] = *rc::gen::pair(gen_scenario(false), gen_schedule(200, 1));
  classify(rc_simulate([sc = scenario] { return run_scenario(sc); }, schedule, disk_only()));
}

RC_GTEST_PROP(DiskProperties, DurableDataSurvivesFaultsToo, ()) {
  const auto [scenario, schedule] = *rc::gen::pair(gen_scenario(true), gen_schedule(200, 1));
  classify(rc_simulate([sc = scenario] { return run_scenario(sc); }, schedule, disk_only()));
}

// The same under the faithful strategy (step costs, timer order: every decision from the
// schedule), where the crash decisions sit among the others.
RC_GTEST_PROP(DiskProperties, DurableDataSurvivesUnderTheFaithfulStrategy, ()) {
  const auto [scenario, schedule] = *with_schedule(gen_scenario(true));
  rc_simulate([sc = scenario] { return run_scenario(sc); }, schedule);
}

RC_GTEST_PROP(DiskProperties, ASeedIsDeterministicAndItsTraceReplays, ()) {
  const Scenario scenario = *gen_scenario(true);
  const std::uint64_t seed = *rc::gen::inRange<std::uint64_t>(0, 1'000'000);
  auto program = [scenario] { return run_scenario(scenario); };
  SimulationOptions o;
  o.seed = seed;
  auto first = simulate(program, o);
  auto second = simulate(program, o);
  RC_ASSERT(first.outcome.ok());
  RC_ASSERT(second.outcome.ok());
  RC_ASSERT(first.outcome.value() == second.outcome.value());
  RC_ASSERT(first.decisions.to_vector() == second.decisions.to_vector());
  RC_ASSERT(first.end_time == second.end_time);
  auto replayed = replay(program, first.decisions, o);
  RC_ASSERT(!replayed.divergence);
  RC_ASSERT(replayed.replay_complete);
  RC_ASSERT(replayed.outcome.ok());
  RC_ASSERT(replayed.outcome.value() == first.outcome.value());
}

// The oracle above can fail: a disk that lost fsynced data would be caught. (Checks the
// checker on a hand-made model.)
TEST(DiskPropertiesOracle, RejectsALostFsyncedByteAndAcceptsTears) {
  Model m{std::string(1024, 'd'), {}, {}};
  m.unsynced.push_back(Write{false, 100, std::string(1000, 'u')});
  const std::vector<std::string> allowed = allowed_outcomes(m);
  EXPECT_EQ(allowed.size(), 2u + 3u) << "durable, all, and 3 tears (sectors 0-2)";
  std::string torn = m.durable;
  torn.replace(100, 412, std::string(412, 'u'));
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), torn), allowed.end());
  std::string mid_sector = m.durable;
  mid_sector.replace(100, 300, std::string(300, 'u'));  // not at a sector boundary
  EXPECT_EQ(std::find(allowed.begin(), allowed.end(), mid_sector), allowed.end());
}

}  // namespace
}  // namespace lockstep
