// The checker inside simulated runs: a Recorder stamped with virtual time, the
// end-of-run invariant (a stale-read store fails it, a correct one passes), the failing
// history in the trace, and CO_ASSERT_LINEARIZABLE in a LOCKSTEP_TEST.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "loop/lockstep.h"
#include "replay/cli.h"
#include "replay/replay_trace.h"
#include "sim/linearizability/loop_clock.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/testing.h"
#include "sim/random.h"
#include "sim/simulation.h"
#include "sim/testing/lockstep_test.h"

namespace lockstep::lin {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A key-value store whose writes take effect after a delay; `stale` makes reads answer
// from a copy refreshed only now and then (the bug: a read after a write returned sees
// the old value).
class Store {
 public:
  explicit Store(bool stale) : stale_(stale) {}
  Coro<void> put(std::string k, std::int64_t v) {
    co_await sleep(std::chrono::milliseconds(1 + random_below(3)));
    data_[k] = v;
    if (!stale_) cache_[k] = v;
    co_await sleep(std::chrono::milliseconds(random_below(3)));
  }
  Coro<Value> get(std::string k) {
    co_await sleep(std::chrono::milliseconds(1 + random_below(3)));
    if (stale_ && random_below(4) == 0) cache_ = data_;
    auto& from = stale_ ? cache_ : data_;
    const auto it = from.find(k);
    co_return it == from.end() ? kNil : Value(it->second);
  }

 private:
  bool stale_;
  std::map<std::string, std::int64_t> data_, cache_;
};

Coro<void> client(Store* store, Recorder* rec, int id, int ops) {
  for (int i = 0; i < ops; ++i) {
    const std::string key = random_below(2) ? "x" : "y";
    if (random_below(2)) {
      const std::int64_t v = 10 * id + i;
      const int op = rec->invoke(id, "put", {v}, key);
      co_await store->put(key, v);
      rec->ok(op);
    } else {
      const int op = rec->invoke(id, "get", {}, key);
      const Value got = co_await store->get(key);
      rec->ok(op, got);
    }
  }
}

Coro<int> workload(bool stale) {
  Store store(stale);
  Recorder rec(loop_clock());
  auto lin = linearizable_at_end(rec, KvMap{});
  co_await gather(client(&store, &rec, 0, 8), client(&store, &rec, 1, 8),
                  client(&store, &rec, 2, 8));
  co_return static_cast<int>(rec.size());
}

// Keeps the trace's log lines.
struct Lines : TraceSink {
  std::vector<std::string> lines;
  void on_decision(const Decision&) override {}
  void on_log(TimePoint, std::uint64_t, std::string_view text) override {
    lines.emplace_back(text);
  }
};

TEST(Integration, ACorrectStorePassesTheEndOfRunInvariant) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SimulationOptions o;
    o.seed = seed;
    auto run = simulate([] { return workload(false); }, o);
    ASSERT_TRUE(run.outcome.ok()) << "seed " << seed << ": "
                                  << describe_exception(run.outcome.exception());
  }
}

TEST(Integration, AStaleReadFailsTheInvariantAndTheHistoryGoesIntoTheTrace) {
  int failures = 0;
  for (std::uint64_t seed = 0; seed < 20 && failures == 0; ++seed) {
    Lines sink;
    SimulationOptions o;
    o.seed = seed;
    o.trace = &sink;
    auto run = simulate([] { return workload(true); }, o);
    if (run.outcome.ok()) continue;
    ++failures;
    EXPECT_THAT(
        describe_exception(run.outcome.exception()),
        HasSubstr("invariant 'the history is linearizable' violated when it went out of scope"));
    std::string all;
    for (const std::string& l : sink.lines) all += l + "\n";
    EXPECT_THAT(all, HasSubstr("linearizability: not linearizable (partition"));
    EXPECT_THAT(all, HasSubstr("linearizability: the history (Jepsen EDN, 24 operations):"));
    EXPECT_THAT(all, HasSubstr("linearizability: {:process 0, :type :invoke, :f :"));
  }
  EXPECT_EQ(failures, 1) << "no seed of 20 caught the stale read";
}

// The same failure recorded to a trace file: `lockstep show` prints the explanation and
// the history where the run ended.
TEST(Integration, LockstepShowPrintsTheFailingHistory) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/stale.trace";
  bool failed = false;
  for (std::uint64_t seed = 0; seed < 20 && !failed; ++seed) {
    SimulationOptions o;
    o.seed = seed;
    failed = !record_trace([] { return workload(true); }, o, path, "stale").outcome.ok();
  }
  ASSERT_TRUE(failed) << "no seed of 20 caught the stale read";
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"show", path}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("linearizability: not linearizable (partition"));
  EXPECT_THAT(out.str(), HasSubstr("results cannot be explained together"));
  EXPECT_THAT(out.str(), HasSubstr(":type :ok, :f :get"));
}

TEST(Integration, TheRecorderReadsVirtualTime) {
  SimulationOptions o;
  auto run = simulate(
      []() -> Coro<int> {
        Recorder rec(loop_clock());
        co_await sleep(5ms);
        const int id = rec.invoke(0, "write", {1});
        co_await sleep(2ms);
        rec.ok(id);
        const Op op = rec.history()[0];
        co_return static_cast<int>(op.ret - op.invoke);
      },
      o);
  ASSERT_TRUE(run.outcome.ok());
  EXPECT_EQ(run.outcome.value(), 2'000'000);
}

TEST(Integration, LoopClockWithoutALoopIsAHistoryError) {
  Recorder rec(loop_clock());
  EXPECT_THROW(rec.invoke(0, "read"), HistoryError);
}

History bad_history();

// CO_ASSERT_LINEARIZABLE in a coroutine under simulation: a fatal failure with the text,
// and the rest of the body does not run.
bool g_after_assert = false;
Coro<void> asserts_bad() {
  CO_ASSERT_LINEARIZABLE(bad_history(), Register{});
  g_after_assert = true;
}
Coro<int> run_asserts() {
  co_await asserts_bad();
  co_return 0;
}
void simulate_asserts() {
  SimulationOptions o;
  (void)simulate([] { return run_asserts(); }, o);
}

TEST(Integration, CoAssertLinearizableFailsAndEndsTheBody) {
  EXPECT_FATAL_FAILURE(simulate_asserts(),
                       "CO_ASSERT_LINEARIZABLE(bad_history(), Register{}) failed");
  EXPECT_FALSE(g_after_assert);
}

LOCKSTEP_TEST(LinearizabilityTest, CoAssertPassesForACorrectStore, .seeds = 10) {
  Store store(false);
  Recorder rec(loop_clock());
  co_await gather(client(&store, &rec, 0, 6), client(&store, &rec, 1, 6));
  CO_ASSERT_LINEARIZABLE(rec.history(), KvMap{});
  EXPECT_LINEARIZABLE(rec.history(), KvMap{});
}

// Without a time budget the checker reads no clock: called straight from a simulated
// body (no AllowEscapes), escape detection has nothing to report.
LOCKSTEP_TEST(LinearizabilityTest, ACheckWithoutATimeBudgetReadsNoRealClock, .seeds = 3) {
  Store store(false);
  Recorder rec(loop_clock());
  co_await gather(client(&store, &rec, 0, 6), client(&store, &rec, 1, 6));
  Budget budget;
  budget.time = std::nullopt;
  EXPECT_EQ(check(rec.history(), KvMap{}, budget).verdict, Verdict::kLinearizable);
}

History bad_history() {
  History h(2);
  h[0].id = 0;
  h[0].f = "write";
  h[0].args = {1};
  h[0].outcome = Outcome::kOk;
  h[0].ret = 10;
  h[1].id = 1;
  h[1].client = 1;
  h[1].f = "read";
  h[1].invoke = 20;
  h[1].outcome = Outcome::kOk;
  h[1].ret = 30;
  h[1].result = Value(2);
  return h;
}

TEST(Integration, ExpectLinearizableFailsForABadHistory) {
  EXPECT_NONFATAL_FAILURE(EXPECT_LINEARIZABLE(bad_history(), Register{}),
                          "cannot be explained together");
}

}  // namespace
}  // namespace lockstep::lin
