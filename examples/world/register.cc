#include "examples/world/register.h"

#include <memory>
#include <stdexcept>
#include <vector>

#include "loop/net/errors.h"
#include "loop/net/streams.h"

namespace register_example {

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;

namespace {

const std::vector<std::string>& replicas() {
  static const std::vector<std::string> names{"n1", "n2", "n3"};
  return names;
}

struct State {
  Versioned current;
};

Coro<void> serve(std::shared_ptr<State> state, StreamReader reader, StreamWriter writer) {
  for (;;) {
    const std::string line = co_await reader.readline();
    if (line.empty() || line.back() != '\n') break;
    if (line.rfind("WRITE ", 0) == 0) {
      const std::size_t space = line.find(' ', 6);
      const std::uint64_t version = std::stoull(line.substr(6, space - 6));
      if (version > state->current.version)
        state->current = {version, line.substr(space + 1, line.size() - space - 2)};
      writer.write("OK\n");
    } else if (line == "READ\n") {
      writer.write("VALUE " + std::to_string(state->current.version) + " " + state->current.value +
                   "\n");
    } else {
      writer.write("ERROR unknown request\n");
    }
    co_await writer.drain();
  }
  writer.close();
}

// One request on a connection of its own; throws on a network error or after 200ms.
Coro<std::string> request_once(std::string host, std::string line) {
  auto [reader, writer] = co_await lockstep::open_connection(host, 7000);
  writer.write(line);
  std::string reply = co_await reader.readline();
  writer.close();
  co_return reply;
}

// Asks `host` until it answers, 200ms per try and 50ms between tries.
Coro<std::string> request(std::string host, std::string line) {
  for (;;) {
    try {
      co_return co_await lockstep::wait_for(request_once(host, line), 200ms);
    } catch (const lockstep::TimeoutError&) {
    } catch (const lockstep::OSError&) {
    }
    co_await lockstep::sleep(50ms);
  }
}

Versioned parse_value(const std::string& reply) {
  // "VALUE <version> <value>\n"
  const std::size_t space = reply.find(' ', 6);
  return {std::stoull(reply.substr(6, space - 6)),
          reply.substr(space + 1, reply.size() - space - 2)};
}

// Runs `line` against every replica and returns the first `needed` answers.
Coro<std::vector<std::string>> quorum(std::string line, std::size_t needed) {
  std::vector<lockstep::Task<std::string>> asks;
  for (const std::string& host : replicas())
    asks.push_back(lockstep::create_task(request(host, line)));
  std::vector<std::string> answers;
  auto completed = lockstep::as_completed(asks);
  while (answers.size() < needed) answers.push_back(co_await completed.next());
  for (auto& t : asks) t.cancel();  // the rest are not needed
  co_return answers;
}

}  // namespace

Coro<void> replica() {
  auto state = std::make_shared<State>();
  const lockstep::ClientConnected handler = [state](StreamReader r, StreamWriter w) {
    return serve(state, std::move(r), std::move(w));
  };
  lockstep::Server server = co_await lockstep::start_server(handler, "0.0.0.0", 7000);
  co_await server.serve_forever();
}

Coro<void> write(std::uint64_t version, std::string value) {
  co_await quorum("WRITE " + std::to_string(version) + " " + value + "\n", 2);
}

Coro<Versioned> read(ReadMode mode) {
  if (mode == ReadMode::kNearest) co_return parse_value(co_await request("n1", "READ\n"));
  Versioned newest;
  for (const std::string& reply : co_await quorum("READ\n", 2)) {
    Versioned v = parse_value(reply);
    if (v.version > newest.version) newest = std::move(v);
  }
  co_return newest;
}

Coro<void> workload(ReadMode mode) {
  for (std::uint64_t version = 1; version <= 20; ++version) {
    co_await write(version, "v" + std::to_string(version));
    const Versioned got = co_await read(mode);
    if (got.version < version)
      throw std::runtime_error("stale read: wrote version " + std::to_string(version) +
                               ", then read version " + std::to_string(got.version));
    co_await lockstep::sleep(20ms);
  }
}

Coro<void> scenario(ReadMode mode) {
  lockstep::World world;
  for (const std::string& name : replicas()) world.add_node(name, replica);
  // Faults among the replicas while the client works: partitions and lost messages.
  lockstep::Task<void> faults = lockstep::create_task(
      world.run_faults({.partition = 0.2, .max_partition = 300ms, .loss = 0.02}, 3s));
  co_await workload(mode);
  co_await faults;
  // Liveness: with the faults over, a write and a read go through promptly.
  co_await world.within(1s, write(100, "after"), "a write after the faults");
  const Versioned last = co_await world.within(1s, read(mode), "a read after the faults");
  if (last.version != 100) throw std::runtime_error("the last write was not read back");
}

}  // namespace register_example
