// A simulated world in traces: the nodes, where each task runs, and the crash, as
// `lockstep show` prints them and the Chrome export draws them (a process per node,
// messages as arrows between nodes); a recorded world run replays exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "loop/lockstep.h"
#include "loop/net/streams.h"
#include "replay/chrome_export.h"
#include "replay/replay_trace.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"
#include "sim/simulation.h"
#include "sim/world/world.h"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

Coro<void> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
}

Coro<void> server() {
  const ClientConnected handler = echo_lines;
  Server s = co_await start_server(handler, "0.0.0.0", 7000);
  co_await s.serve_forever();
}

Coro<void> client() {
  auto [reader, writer] = co_await open_connection("server", 7000);
  writer.write("hello\n");
  co_await reader.readline();
  writer.close();
}

Coro<void> world_run() {
  World world;
  world.add_node("server", server);
  world.add_node("client-1", client);
  co_await sleep(100ms);
  world.crash("server");
  co_await sleep(100ms);
  world.restart("server");
  co_await sleep(100ms);
}

TEST(WorldTrace, NodesTheirTasksAndCrashesAreInTheTrace) {
  const std::string path = temp_path("world.trace");
  auto run = record_trace(world_run, SimulationOptions{}, path, "world");
  ASSERT_TRUE(run.outcome.ok()) << describe_exception(run.outcome.exception());
  const Trace t = read_trace(path);
  std::string shown;
  for (const TimelineEntry& e : timeline(t)) shown += e.who + "  " + e.what + "\n";
  EXPECT_THAT(shown, HasSubstr("loop  node 'server' powered on (node #1)"));
  EXPECT_THAT(shown, HasSubstr("task 2 'server/main' on server  created"));
  EXPECT_THAT(shown,
              HasSubstr("'client-1/main' on client-1  sent #1 client-1:49152 -> server:7000 SYN"));
  EXPECT_THAT(shown, HasSubstr("loop  node 'server' lost power (node #1)"));
  EXPECT_THAT(shown, HasSubstr("loop  node 'server' powered on (node #3)"));

  std::ostringstream chrome;
  export_chrome(t, chrome);
  const std::string json = chrome.str();
  EXPECT_THAT(json, HasSubstr("\"args\":{\"name\":\"node server\"}"));
  EXPECT_THAT(json, HasSubstr("\"args\":{\"name\":\"node client-1\"}"));
  EXPECT_THAT(json, HasSubstr("\"name\":\"server lost power\""));
  // The reply's arrow leaves the server's process (pid 2) and lands in the client's (3).
  std::map<std::string, std::string> starts, finishes;  // flow id -> pid
  const std::regex flow(R"re(\{"ph":"([sf])","id":(\d+),"pid":(\d+),)re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), flow); it != std::sregex_iterator();
       ++it)
    ((*it)[1] == "s" ? starts : finishes)[(*it)[2]] = (*it)[3];
  bool server_to_client = false;
  for (const auto& [id, pid] : starts)
    if (pid == "2" && finishes[id] == "3") server_to_client = true;
  EXPECT_TRUE(server_to_client) << json;

  auto again = replay_trace(world_run, path);
  EXPECT_FALSE(again.divergence);
  EXPECT_TRUE(again.outcome.ok());
}

}  // namespace
}  // namespace lockstep
