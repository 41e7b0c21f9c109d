// A test suite in lockstep style: GoogleTest tests whose bodies are coroutines, each run
// under simulation for a sweep of seeds, with cancellation fuzzing where it matters.
//
//   ./bazelw test //examples:gtest_demo                 # 4 sweeps, 2 shards
//   LOCKSTEP_SEEDS=2000 ./bazelw test //examples:gtest_demo
//   ./bazelw test //examples:gtest_demo_failing         # what a failure looks like
//
// The code under test: a cache whose concurrent get()s of one key share one load.
#include <map>
#include <string>

#include "loop/lockstep.h"
#include "sim/random.h"
#include "sim/testing/lockstep_test.h"

using namespace std::chrono_literals;
using lockstep::Coro;

class Cache {
 public:
  explicit Cache(lockstep::Duration ttl) : ttl_(ttl) {}

  // The value of `key`: cached if loaded less than ttl ago, else loaded - once, however
  // many callers ask meanwhile. A caller cancelled while waiting leaves the load running
  // for the others (shield).
  Coro<int> get(std::string key) {
    auto it = entries_.find(key);
    const auto now = lockstep::Loop::current()->time();
    if (it == entries_.end() || (it->second.value.done() && now - it->second.loaded >= ttl_)) {
      lockstep::Task<int> load = lockstep::create_task(this->load(key), "load " + key);
      it = entries_.insert_or_assign(key, Entry{load, now}).first;
#ifdef LOCKSTEP_DEMO_BUG
      // BUG: the load is awaited directly, so a cancelled caller cancels it for everyone.
      co_return co_await load;
#endif
    }
    co_return co_await lockstep::shield(it->second.value);
  }
  int loads() const { return loads_; }

 private:
  struct Entry {
    lockstep::Future<int> value;
    lockstep::TimePoint loaded;
  };
  Coro<int> load(std::string key) {
    co_await lockstep::sleep(std::chrono::milliseconds(1 + lockstep::random_below(5)));
    ++loads_;
    co_return static_cast<int>(key.size());
  }

  lockstep::Duration ttl_;
  std::map<std::string, Entry> entries_;
  int loads_ = 0;
};

LOCKSTEP_TEST(Cache, ConcurrentGetsShareOneLoad) {
  Cache cache(10s);
  std::vector<lockstep::Task<int>> readers;
  for (int i = 0; i < 5; ++i) readers.push_back(lockstep::create_task(cache.get("answer")));
  for (auto& r : readers) CO_ASSERT_EQ(co_await r, 6);
  CO_EXPECT_EQ(cache.loads(), 1);
}

// Readers are cancelled at random awaits (10% each): the ones left still get the value,
// and a cancelled reader never costs the others their load.
LOCKSTEP_TEST(Cache, CancelledReadersDoNotHurtTheOthers, .seeds = 300,
              .cancellation = {.mode = lockstep::CancellationFuzzing::Mode::kRandom,
                               .probability = 0.1,
                               .tasks = "reader-*"}) {
  Cache cache(10s);
  std::vector<lockstep::Task<int>> readers;
  for (int i = 0; i < 4; ++i)
    readers.push_back(lockstep::create_task(cache.get("key"), "reader-" + std::to_string(i)));
  co_await lockstep::gather(lockstep::return_exceptions, readers);
  for (auto& r : readers) {
    if (!r.cancelled()) {
      CO_ASSERT_EQ(r.result(), 3);
    }
  }
  CO_ASSERT_EQ(co_await cache.get("key"), 3) << "a later reader still gets the value";
  CO_EXPECT_EQ(cache.loads(), 1);
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ++set_ups; }
  Cache cache{1s};
  static inline int set_ups = 0;  // one per seed: every seed gets a fresh fixture
};

LOCKSTEP_TEST_F(CacheTest, EntriesExpireAfterTheirTtl, .seeds = 50) {
  CO_ASSERT_EQ(co_await cache.get("a"), 1);
  // Steps take simulated time too (strategy faithful: up to ~10ms each), so the margins
  // are wide: a 50ms ttl with a 20ms sleep fails at seed 236 of 100,000.
  co_await lockstep::sleep(100ms);
  CO_ASSERT_EQ(co_await cache.get("a"), 1);
  CO_EXPECT_EQ(cache.loads(), 1) << "still fresh after 100ms";
  co_await lockstep::sleep(2s);
  CO_ASSERT_EQ(co_await cache.get("a"), 1);
  CO_EXPECT_EQ(cache.loads(), 2) << "reloaded once stale";
}

LOCKSTEP_TEST_F(CacheTest, EachSeedGetsAFreshFixture, .seeds = 20) {
  CO_EXPECT_EQ(cache.loads(), 0);
  CO_EXPECT_GE(set_ups, 1);
  co_return;
}
