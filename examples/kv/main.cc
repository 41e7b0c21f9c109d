// The kv store as a real program, and its simulated sweep.
//
//   kv node --id 1 --peers 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 --data /tmp/n1
//   kv node --id 1 --listen 127.0.0.1:0 --port-file p1 --peers-file peers --data d1
//       (a free port, written to p1; the members are read from `peers` once it exists)
//   kv client --peers 127.0.0.1:7001,... put x 3          -> OK
//   kv client --peers 127.0.0.1:7001,... get x            -> 3 (or nil)
//   kv sim [--seeds 50] [--failures 8] [--faults default|elections]
//          [--bug ack-before-fsync|vote-not-persisted]
//       (seeds until a few fail: the smallest shrunk run saved to kv.trace, replayed)
//   kv replay kv.trace [--bug ...] [--faults ...]   (as the run was made)
//
// A node keeps its term, vote and log in --data (created if missing); kill it at any
// moment (SIGKILL included) and start it again on the same port and directory: it
// recovers what it had fsynced.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "examples/kv/client.h"
#include "examples/kv/node.h"
#include "examples/kv/simulated.h"
#include "loop/epoll_driver.h"
#include "loop/fs/real_file_system.h"
#include "loop/lockstep.h"
#include "loop/net/address.h"
#include "replay/replay_trace.h"
#include "sim/shrink.h"
#include "sim/simulation.h"

namespace {

using lockstep::Coro;

int usage(const char* why) {
  std::fprintf(stderr,
               "kv: %s\n"
               "usage: kv node --id N (--peers A,B,C | --listen HOST:PORT --port-file F "
               "--peers-file P) --data DIR [--bug NAME]\n"
               "       kv client --peers A,B,C [--deadline-ms N] (put KEY VALUE | get KEY)\n"
               "       kv sim [--seeds N] [--first-seed N] [--failures N] [--trace FILE] "
               "[--faults default|elections] [--bug NAME]\n"
               "       kv replay FILE [--bug NAME] [--faults default|elections]\n"
               "  bugs: ack-before-fsync, vote-not-persisted\n",
               why);
  return 2;
}

std::vector<std::string> comma_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// --name value pairs, and the words that are not options.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> words;
  std::string get(const std::string& name, const std::string& otherwise = "") const {
    const auto it = options.find(name);
    return it == options.end() ? otherwise : it->second;
  }
};

Args parse(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    const std::string s = argv[i];
    if (s.rfind("--", 0) == 0 && i + 1 < argc) {
      a.options[s.substr(2)] = argv[++i];
    } else {
      a.words.push_back(s);
    }
  }
  return a;
}

template <class T>
T run_real(Coro<T> main, const std::string& data_dir = "") {
  lockstep::EpollDriver driver;
  lockstep::RunOptions o;
  o.driver = &driver;
  if (!data_dir.empty())
    o.on_start = [data_dir](lockstep::Loop& loop) {
      loop.set_file_system(std::make_shared<lockstep::RealFileSystem>(data_dir));
    };
  return lockstep::run(std::move(main), std::move(o));
}

// Waits (polling, up to a minute) for `path` to hold the members, one "host:port" a line.
Coro<std::vector<std::string>> members_from(std::string path) {
  for (int tries = 0; tries < 1200; ++tries) {
    std::ifstream in(path);
    std::vector<std::string> members;
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) members.push_back(line);
    if (!members.empty()) co_return members;
    co_await lockstep::sleep(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("kv: no members in " + path + " after a minute");
}

Coro<void> node_main(Args a, kv::Bugs bugs) {
  const std::size_t id = std::stoul(a.get("id", "0"));
  std::vector<std::string> members = comma_list(a.get("peers"));
  std::string listen = a.get("listen");
  if (listen.empty()) {
    if (id == 0 || id > members.size()) throw std::invalid_argument("--id must index --peers");
    listen = members[id - 1];
  }
  const lockstep::Address at = lockstep::Address::parse(listen);
  auto node = std::make_shared<kv::Node>(bugs);
  const std::uint16_t port = co_await node->listen(at.host, at.port);
  if (const std::string file = a.get("port-file"); !file.empty()) {
    std::ofstream(file + ".tmp") << port << "\n";
    std::rename((file + ".tmp").c_str(), file.c_str());  // whole or absent
  }
  if (members.empty()) members = co_await members_from(a.get("peers-file"));
  if (id == 0 || id > members.size()) throw std::invalid_argument("--id must index the members");
  std::fprintf(stderr, "kv node %zu listening on %s:%u, members %zu\n", id, at.host.c_str(),
               static_cast<unsigned>(port), members.size());
  co_await node->run(std::move(members), id - 1);
}

Coro<int> client_main(Args a) {
  // A random id: the store keeps one session per id, and a reused pid would find the
  // session (and the cached replies) of an earlier process.
  std::random_device random;
  const std::int64_t id =
      static_cast<std::int64_t>(((std::uint64_t{random()} << 32) | random()) >> 1) | 1;
  kv::Client c(id, comma_list(a.get("peers")), nullptr,
               std::chrono::milliseconds(std::stoll(a.get("deadline-ms", "5000"))));
  try {
    if (a.words.size() == 4 && a.words[1] == "put") {
      co_await c.put(a.words[2], std::stoll(a.words[3]));
      std::printf("OK\n");
    } else if (a.words.size() == 3 && a.words[1] == "get") {
      const auto v = co_await c.get(a.words[2]);
      std::printf("%s\n", v ? std::to_string(*v).c_str() : "nil");
    } else {
      co_return usage("client: put KEY VALUE or get KEY");
    }
  } catch (const kv::Unavailable& e) {
    std::fprintf(stderr, "%s\n", e.what());
    co_return 1;
  }
  co_return 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The first line of what a run raised.
std::string first_line(const std::exception_ptr& e) {
  const std::string text = lockstep::describe_exception(e);
  return text.substr(0, text.find('\n'));
}

// Where a trace goes: the directory `bazel run` was called from, else the current one.
std::string trace_path(const std::string& name) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  return dir ? std::string(dir) + "/" + name : name;
}

// What a failed run raised, in full: a history the checker rejects is explained.
std::string account(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const kv::NotLinearizable& bad) {
    return bad.explain();
  } catch (...) {
    return lockstep::describe_exception(e);
  }
}

// --faults: "default" or "elections" (nullopt for anything else).
std::optional<lockstep::WorldFaults> faults_named(const std::string& mix) {
  if (mix == "default") return kv::default_faults();
  if (mix == "elections") return kv::election_faults();
  return std::nullopt;
}

// kv sim: seeds until a few fail (--failures, 8), then shrinks them (the smallest result
// wins: failing seeds of one bug differ in how far they shrink), saves and replays it.
int sim_main(const Args& a, kv::Bugs bugs) {
  const std::uint64_t first = std::stoull(a.get("first-seed", "0"));
  const std::uint64_t seeds = std::stoull(a.get("seeds", "50"));
  const std::size_t wanted = std::stoul(a.get("failures", "8"));
  const std::string trace = a.get("trace", "kv.trace");
  const std::string mix = a.get("faults", "default");
  const std::optional<lockstep::WorldFaults> named = faults_named(mix);
  if (!named) return usage("--faults: default or elections");
  const lockstep::WorldFaults faults = *named;
  auto program = [bugs, faults] { return kv::simulated_cluster(bugs, faults); };
  lockstep::SimulationOptions o;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<lockstep::Decision>> failing;
  std::vector<std::uint64_t> failing_seeds;
  std::uint64_t swept = 0;
  for (std::uint64_t seed = first; seed < first + seeds && failing.size() < wanted; ++seed) {
    o.seed = seed;
    auto r = lockstep::simulate(program, o);
    if (++swept % 100 == 0)
      std::fprintf(stderr, "  %llu seeds, %.1f s\n", static_cast<unsigned long long>(swept),
                   seconds_since(start));
    if (r.outcome.ok()) continue;
    std::printf("seed %llu fails (%.1f s): %s\n", static_cast<unsigned long long>(seed),
                seconds_since(start), first_line(r.outcome.exception()).c_str());
    failing.push_back(std::move(r.decisions));
    failing_seeds.push_back(seed);
  }
  if (failing.empty()) {
    std::printf(
        "%llu seeds (%.1f s): every history linearizable, one leader per term, every liveness "
        "check met\n",
        static_cast<unsigned long long>(swept), seconds_since(start));
    return 0;
  }
  std::fflush(stdout);

  // Any history the checker rejects is the same bug, whichever key shows it.
  lockstep::ShrinkOptions so;
  so.same_failure = kv::same_failure;
  so.max_time = std::chrono::minutes(3);
  const auto shrink_start = std::chrono::steady_clock::now();
  auto last_report = shrink_start;
  so.on_progress = [&](const lockstep::ShrinkProgress& p) {
    if (std::chrono::steady_clock::now() - last_report < std::chrono::seconds(5)) return;
    last_report = std::chrono::steady_clock::now();
    std::fprintf(stderr, "  shrinking: %llu runs, %zu of %zu non-default decisions left\n",
                 static_cast<unsigned long long>(p.runs), p.non_default, p.original_non_default);
  };
  auto small = lockstep::shrink_best(program, failing, o, so);
  std::printf("-- shrunk (%zu failing seeds, the smallest from seed %llu; %llu runs, %.1f s)\n%s",
              failing.size(), static_cast<unsigned long long>(failing_seeds[small.chosen]),
              static_cast<unsigned long long>(small.runs), seconds_since(shrink_start),
              small.summary.c_str());
  o.seed = failing_seeds[small.chosen];
  lockstep::save_trace(program, small.run.decisions, o, trace_path(trace), "kv");
  auto again = lockstep::replay_trace(program, trace_path(trace), "kv");
  std::printf("-- saved %s; replayed: %s\n", trace.c_str(),
              again.divergence     ? "DIVERGED"
              : again.outcome.ok() ? "passes (not reproduced)"
                                   : first_line(again.outcome.exception()).c_str());
  if (!again.outcome.ok())
    std::printf("-- what the clients saw\n%s\n", account(again.outcome.exception()).c_str());
  std::printf("   lockstep show %s; kv replay %s%s%s\n", trace.c_str(), trace.c_str(),
              a.get("bug").empty() ? "" : (" --bug " + a.get("bug")).c_str(),
              mix == "default" ? "" : (" --faults " + mix).c_str());
  return 1;
}

// kv replay FILE: the run a trace recorded, again (the same --bug as when it was saved).
int replay_main(const Args& a, kv::Bugs bugs) {
  if (a.words.size() != 2) return usage("replay: a trace file");
  const std::string mix = a.get("faults", "default");
  const std::optional<lockstep::WorldFaults> named = faults_named(mix);
  if (!named) return usage("--faults: default or elections");
  const lockstep::WorldFaults faults = *named;
  auto program = [bugs, faults] { return kv::simulated_cluster(bugs, faults); };
  auto again = lockstep::replay_trace(program, a.words[1], "kv");
  if (again.divergence) {
    std::printf("diverged: %s\n", again.divergence->report().c_str());
    return 1;
  }
  if (again.outcome.ok()) {
    std::printf("replayed: passes\n");
    return 0;
  }
  std::printf("replayed: %s\n", account(again.outcome.exception()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("a command: node, client or sim");
  const std::string command = argv[1];
  const Args a = parse(argc, argv, 1);
  kv::Bugs bugs;
  try {
    if (const std::string bug = a.get("bug"); !bug.empty()) bugs.plant(bug);
    if (command == "node") {
      const std::string data = a.get("data");
      if (data.empty()) return usage("node: --data DIR");
      ::mkdir(data.c_str(), 0755);
      run_real(node_main(a, bugs), data);
      return 0;
    }
    if (command == "client") return run_real(client_main(a));
    if (command == "sim") return sim_main(a, bugs);
    if (command == "replay") return replay_main(a, bugs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kv: %s\n", e.what());
    return 1;
  }
  return usage(("unknown command '" + command + "'").c_str());
}
