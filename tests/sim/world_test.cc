// The simulated world: nodes that reach each other by name, crash like a power loss and
// restart, each with its own clock.
#include "sim/world/world.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "loop/epoll_driver.h"
#include "loop/fs/file_system.h"
#include "loop/lockstep.h"
#include "loop/net/errors.h"
#include "loop/net/streams.h"
#include "sim/testing/lockstep_test.h"
#include "sim/testing/rapidcheck.h"

namespace {

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;
using lockstep::World;

Coro<void> echo_lines(std::string name, StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(name + ": " + line);
    co_await writer.drain();
  }
  writer.close();
}

// Echoes lines on port 7000, each prefixed with `name`. (A handler is a plain lambda
// calling a coroutine: a coroutine lambda's captures die with the lambda object.)
Coro<void> echo_server(std::string name) {
  const lockstep::ClientConnected handler = [name](StreamReader r, StreamWriter w) {
    return echo_lines(name, std::move(r), std::move(w));
  };
  lockstep::Server server = co_await lockstep::start_server(handler, "0.0.0.0", 7000);
  co_await server.serve_forever();
}

lockstep::Node::Main echo_node(std::string name) {
  return [name] { return echo_server(name); };
}

Coro<std::string> ask(std::string host, std::string line) {
  auto [reader, writer] = co_await lockstep::open_connection(host, 7000);
  writer.write(line);
  std::string reply = co_await reader.readline();
  writer.close();
  co_return reply;
}

LOCKSTEP_TEST(World, NodesReachEachOtherAndTheTestByName, .seeds = 20) {
  World world;
  world.add_node("n1", echo_node("n1"));
  std::string got;
  world.add_node("n2", [&got]() -> Coro<void> { got = co_await ask("n1", "from n2\n"); });
  CO_ASSERT_EQ(co_await ask("n1", "from the test\n"), "n1: from the test\n");
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(got, "n1: from n2\n");
  CO_ASSERT_TRUE(world.node("n1").up());
  CO_ASSERT_EQ(world.node("n1").boots(), 1);
  CO_ASSERT_EQ(world.node_names(), (std::vector<std::string>{"n1", "n2"}));
}

LOCKSTEP_TEST(World, LoopbackAndTheWildcardOnANodeAreThatNode, .seeds = 5) {
  World world;
  // Both listen on 0.0.0.0:7000: each its own host, so no EADDRINUSE.
  world.add_node("b", echo_node("b"));
  std::string got;
  world.add_node("a", [&got]() -> Coro<void> {
    lockstep::create_task(echo_server("a"));
    co_await lockstep::sleep(10ms);
    got = co_await ask("127.0.0.1", "hi\n");
  });
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(got, "a: hi\n");
  CO_ASSERT_EQ(co_await ask("b", "hi\n"), "b: hi\n");
}

LOCKSTEP_TEST(World, NodeCodeReadsItsNodesNameAsItsHostName, .seeds = 2) {
  World world;
  std::vector<std::string> names;
  for (const char* n : {"db-1", "db-2"})
    world.add_node(n, [&names]() -> Coro<void> {
      names.push_back(lockstep::hostname());
      co_return;
    });
  co_await lockstep::sleep(10ms);
  std::sort(names.begin(), names.end());
  CO_ASSERT_EQ(names, (std::vector<std::string>{"db-1", "db-2"}));
  CO_ASSERT_EQ(lockstep::hostname(), "localhost");  // the test's own code: no node
}

TEST(Hostname, OnRealSocketsItIsTheMachines) {
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  lockstep::EpollDriver real;
  lockstep::RunOptions o;
  o.driver = &real;
  EXPECT_EQ(lockstep::run([]() -> Coro<std::string> { co_return lockstep::hostname(); }(), o),
            std::string(name));
}

LOCKSTEP_TEST(World, BadNodesAreRejectedByName) {
  World world;
  world.add_node("n1", echo_node("n1"));
  CO_ASSERT_THROW(world.add_node("n1", echo_node("n1")), std::invalid_argument);
  CO_ASSERT_THROW(world.add_node("", echo_node("x")), std::invalid_argument);
  CO_ASSERT_THROW(world.add_node("n2", nullptr), std::invalid_argument);
  CO_ASSERT_THROW(world.node("nope"), std::out_of_range);
  CO_ASSERT_THROW(world.crash("nope"), std::out_of_range);
  co_return;
}

TEST(WorldOutsideASimulation, SaysWhatItNeeds) {
  try {
    World world;
    FAIL() << "no error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a simulated run"), std::string::npos) << e.what();
  }
}

// Logs what a node does, and what its destructors try, while it runs.
struct Log {
  std::vector<std::string> lines;
};

Coro<void> nap() { co_await lockstep::sleep(1ms); }

struct Witness {
  Log* log;
  ~Witness() {
    log->lines.push_back("witness destroyed");
    // A dead node's destructor: none of this may reach the world.
    lockstep::create_task(nap());
  }
};

Coro<void> ticking(Log& log, std::string name) {
  Witness w{&log};
  try {
    for (int i = 0;; ++i) {
      log.lines.push_back(name + " tick " + std::to_string(i));
      co_await lockstep::sleep(100ms);
    }
  } catch (...) {
    log.lines.push_back(name + " catch ran");
    throw;
  }
}

LOCKSTEP_TEST(World, ACrashEndsEverythingOfTheNodeAtOnce, .seeds = 20) {
  World world;
  Log log;
  world.add_node("n1", [&log]() -> Coro<void> {
    lockstep::create_task(ticking(log, "child"));
    co_await ticking(log, "main");
  });
  co_await lockstep::sleep(250ms);
  world.crash("n1");
  log.lines.push_back("crashed");
  CO_ASSERT_FALSE(world.node("n1").up());
  co_await lockstep::sleep(1s);
  // Three ticks each (t=0, 100, 200ms); then the frames went, with no catch, and nothing
  // the destructors started ran.
  CO_ASSERT_EQ(std::count(log.lines.begin(), log.lines.end(), "witness destroyed"), 2);
  CO_ASSERT_EQ(log.lines.back(), "crashed");
  for (const std::string& l : log.lines) CO_ASSERT_EQ(l.find("catch"), std::string::npos);
  CO_ASSERT_EQ(std::count_if(log.lines.begin(), log.lines.end(),
                             [](const std::string& l) { return l.find("tick") != l.npos; }),
               6);
  CO_ASSERT_EQ(world.node("n1").crashes(), 1);
}

LOCKSTEP_TEST(World, ANodeCrashingItselfStopsAtItsNextAwait, .seeds = 5) {
  World world;
  Log log;
  world.add_node("n1", [&]() -> Coro<void> {
    co_await lockstep::sleep(10ms);
    world.crash("n1");
    log.lines.push_back("ran on to its next await");
    co_await lockstep::sleep(10ms);
    log.lines.push_back("resumed");
  });
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(log.lines, (std::vector<std::string>{"ran on to its next await"}));
}

LOCKSTEP_TEST(World, APeerThatLostPowerIsSilentThenRefusesThenResets, .seeds = 20) {
  World world;
  world.add_node("n1", echo_node("n1"));
  auto [reader, writer] = co_await lockstep::open_connection("n1", 7000);
  writer.write("one\n");
  CO_ASSERT_EQ(co_await reader.readline(), "n1: one\n");

  world.crash("n1");
  // Down: what we send goes nowhere and nothing comes back (no FIN, no RST)...
  writer.write("two\n");
  bool timed_out = false;
  try {
    co_await lockstep::wait_for(reader.readline(), 1s);
  } catch (const lockstep::TimeoutError&) {
    timed_out = true;
  }
  CO_ASSERT_TRUE(timed_out);
  // ...and a new connection is refused.
  bool refused = false;
  try {
    co_await lockstep::open_connection("n1", 7000);
  } catch (const lockstep::ConnectionRefusedError&) {
    refused = true;
  }
  CO_ASSERT_TRUE(refused);

  world.restart("n1");
  CO_ASSERT_EQ(world.node("n1").boots(), 2);
  co_await lockstep::sleep(10ms);  // its main listens again
  // The restarted kernel knows nothing of the old connection: it resets it.
  writer.write("three\n");
  bool reset = false;
  try {
    co_await reader.readline();
  } catch (const lockstep::ConnectionResetError&) {
    reset = true;
  }
  CO_ASSERT_TRUE(reset);
  CO_ASSERT_EQ(co_await ask("n1", "four\n"), "n1: four\n");
}

LOCKSTEP_TEST(World, ARestartRunsMainAgain, .seeds = 5) {
  World world;
  int boots = 0;
  world.add_node("n1", [&boots]() -> Coro<void> {
    ++boots;
    co_await lockstep::sleep(1h);
  });
  for (int i = 0; i < 3; ++i) {
    co_await lockstep::sleep(10ms);
    world.crash("n1");
    world.restart("n1");
  }
  co_await lockstep::sleep(10ms);
  CO_ASSERT_EQ(boots, 4);
  CO_ASSERT_EQ(world.node("n1").boots(), 4);
  CO_ASSERT_EQ(world.node("n1").crashes(), 3);
}

LOCKSTEP_TEST(World, EachNodeHasItsOwnDecidedClockAndItsTimersFollowIt, .seeds = 50) {
  World world({.clocks = {.max_offset = 2s, .max_drift_ppm = 200'000}});
  struct Seen {
    lockstep::TimePoint local_start, local_end, global_start, global_end;
  };
  std::map<std::string, Seen> seen;
  for (const char* name : {"a", "b", "c"}) {
    world.add_node(name, [&seen, &world, name]() -> Coro<void> {
      Seen& s = seen[name];
      s.local_start = lockstep::now();
      s.global_start = world.loop().global_time();
      co_await lockstep::sleep(1s);
      s.local_end = lockstep::now();
      s.global_end = world.loop().global_time();
    });
  }
  co_await lockstep::sleep(2s);
  for (const char* name : {"a", "b", "c"}) {
    const Seen& s = seen[name];
    const lockstep::NodeClock& clock = world.node(name).clock();
    CO_ASSERT_LE(std::abs(clock.drift_ppm), 200'000);
    CO_ASSERT_LE(clock.offset, 2s);
    CO_ASSERT_GE(clock.offset, -2s);
    // Its own clock moved the 1s it slept (and what lateness the run decided)...
    const double local = lockstep::to_seconds(s.local_end - s.local_start);
    CO_ASSERT_GE(local, 1.0);
    // ...which on the global timeline took local / (1 + drift).
    const double global = lockstep::to_seconds(s.global_end - s.global_start);
    CO_ASSERT_NEAR(global, local / (1.0 + clock.drift_ppm / 1e6), 1e-6);
    CO_ASSERT_EQ(s.local_start, clock.to_local(s.global_start));
  }
}

LOCKSTEP_TEST(World, AWallClockStepMovesOnlyTheWallClock, .seeds = 2) {
  World world;
  std::vector<std::chrono::system_clock::time_point> walls;
  std::vector<lockstep::TimePoint> monos;
  world.add_node("n1", [&]() -> Coro<void> {
    for (int i = 0; i < 2; ++i) {
      walls.push_back(world.loop().wall_clock());
      monos.push_back(lockstep::now());
      co_await lockstep::sleep(1s);
    }
  });
  co_await lockstep::sleep(500ms);
  world.step_wall_clock("n1", -10s);
  co_await lockstep::sleep(2s);
  CO_ASSERT_EQ(walls.size(), 2u);
  // The wall clock went back 10s while the monotonic one went on (1s and some lateness).
  CO_ASSERT_GE(monos[1] - monos[0], 1s);
  CO_ASSERT_EQ(walls[1] - walls[0], std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                        monos[1] - monos[0] - 10s));
}

// A node's disk: its own, surviving its crashes with what it synced.
Coro<void> logging_node(std::vector<std::string>& seen, std::string name) {
  lockstep::FileSystem& fs = lockstep::file_system();
  lockstep::File log = co_await fs.open("log", "a+");
  seen.push_back(name + " boot sees '" + co_await log.read_all() + "'");
  co_await log.append("synced;");
  co_await log.fsync();
  co_await fs.fsync_dir(".");  // the file's creation is durable too
  co_await log.append("unsynced;");
  co_await lockstep::sleep(1h);
}

LOCKSTEP_TEST(World, EachNodeHasADiskThatKeepsWhatItSynced, .seeds = 50) {
  World world;
  std::vector<std::string> seen;
  world.add_node("n1", [&seen] { return logging_node(seen, "n1"); });
  world.add_node("n2", [&seen] { return logging_node(seen, "n2"); });
  co_await lockstep::sleep(1s);
  world.crash("n1");
  world.restart("n1");
  co_await lockstep::sleep(1s);
  CO_ASSERT_EQ(seen.size(), 3u);
  CO_ASSERT_EQ(seen[0].rfind("n", 0), 0u);
  // n2's disk is its own: n1's log never shows up there (both first boots saw nothing).
  CO_ASSERT_TRUE(std::count(seen.begin(), seen.begin() + 2, "n1 boot sees ''") == 1);
  CO_ASSERT_TRUE(std::count(seen.begin(), seen.begin() + 2, "n2 boot sees ''") == 1);
  // After the crash: the synced write for sure; the unsynced one kept, lost or torn.
  const std::string& after = seen[2];
  CO_ASSERT_EQ(after.rfind("n1 boot sees 'synced;", 0), 0u) << after;
  const std::string tail = after.substr(std::string("n1 boot sees 'synced;").size());
  CO_ASSERT_EQ(tail.back(), '\'');
  const std::string kept = tail.substr(0, tail.size() - 1);  // a prefix of the unsynced write
  CO_ASSERT_EQ(std::string("unsynced;").rfind(kept, 0), 0u) << after;
}

// The law: nothing of a crashed node runs after its crash. Nodes tick and message each
// other; a generated schedule crashes and restarts them; every action a node takes is
// stamped with its incarnation, and none may come after that incarnation's crash.
struct Stamp {
  std::string node;
  int boot;
  lockstep::TimePoint at;
  std::string what;
};

Coro<void> record_lines(World& world, std::vector<Stamp>& stamps, std::string name, int boot,
                        StreamReader reader) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    stamps.push_back({name, boot, world.loop().global_time(), "got " + line});
  }
}

Coro<void> chatty(World& world, std::vector<Stamp>& stamps, std::string name, std::string peer) {
  const int boot = world.node(name).boots();
  auto stamp = [&](std::string what) {
    stamps.push_back({name, boot, world.loop().global_time(), std::move(what)});
  };
  const lockstep::ClientConnected handler = [&stamps, &world, name, boot](StreamReader r,
                                                                          StreamWriter) {
    return record_lines(world, stamps, name, boot, std::move(r));
  };
  lockstep::Server server = co_await lockstep::start_server(handler, "0.0.0.0", 7000);
  for (int i = 0;; ++i) {
    stamp("tick");
    try {
      auto [reader, writer] = co_await lockstep::open_connection(peer, 7000);
      writer.write(name + "#" + std::to_string(boot) + " says " + std::to_string(i) + "\n");
      co_await writer.drain();
      writer.close();
    } catch (const lockstep::OSError&) {
      stamp("peer down");
    }
    co_await lockstep::sleep(30ms);
  }
}

struct CrashPlan {
  int node;     // 0..2
  int at_ms;    // after the previous step
  int down_ms;  // then restarted
};

std::ostream& operator<<(std::ostream& os, const CrashPlan& p) {
  return os << "{n" << p.node << " +" << p.at_ms << "ms down " << p.down_ms << "ms}";
}

RC_GTEST_PROP(WorldLaw, NothingOfACrashedNodeRunsAfterItsCrash, ()) {
  const auto [plan, schedule] = *lockstep::with_schedule(rc::gen::container<std::vector<CrashPlan>>(
      rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 3), rc::gen::inRange(0, 200),
                                  rc::gen::inRange(0, 200)),
                   [](const std::tuple<int, int, int>& t) {
                     return CrashPlan{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
                   })));
  std::vector<Stamp> stamps;
  std::map<std::pair<std::string, int>, lockstep::TimePoint> crashed_at;
  const std::vector<CrashPlan> steps = plan;  // (clang 14 cannot capture bindings)
  auto result = lockstep::rc_simulate(
      [&]() -> Coro<void> {
        stamps.clear();
        crashed_at.clear();
        World world;
        const std::vector<std::string> names{"n0", "n1", "n2"};
        for (int i = 0; i < 3; ++i) {
          const std::string name = names[i], peer = names[(i + 1) % 3];
          world.add_node(
              name, [&world, &stamps, name, peer] { return chatty(world, stamps, name, peer); });
        }
        for (const CrashPlan& p : steps) {
          co_await lockstep::sleep(std::chrono::milliseconds(p.at_ms));
          const std::string& name = names[p.node];
          if (!world.node(name).up()) continue;
          crashed_at[{name, world.node(name).boots()}] = world.loop().global_time();
          world.crash(name);
          co_await lockstep::sleep(std::chrono::milliseconds(p.down_ms));
          world.restart(name);
        }
        co_await lockstep::sleep(300ms);
      },
      schedule);
  RC_ASSERT(result.outcome.ok());
  for (const Stamp& s : stamps) {
    auto it = crashed_at.find({s.node, s.boot});
    if (it == crashed_at.end()) continue;
    RC_ASSERT(s.at <= it->second);
  }
}

}  // namespace
