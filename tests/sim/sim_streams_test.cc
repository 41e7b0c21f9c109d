// asyncio streams over the simulated network, swept over seeds with cancellation fuzzing:
// clients cancelled at any await (connecting, writing, draining, reading, closing) leave
// the server serving and every other client its own bytes.
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "loop/net/streams.h"
#include "sim/testing/lockstep_test.h"

namespace {

using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;

Coro<void> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
}

// Closes the writer however the client ends (a cancel included), as `async with` would.
struct Closing {
  std::optional<StreamWriter> writer;
  ~Closing() {
    if (writer) writer->close();
  }
};

Coro<void> client(std::uint16_t port, int id) {
  Closing closing;
  auto [reader, writer] = co_await lockstep::open_connection("server", port);
  closing.writer = writer;
  for (int i = 0; i < 3; ++i) {
    const std::string line = "client " + std::to_string(id) + " line " + std::to_string(i) + "\n";
    writer.write(line);
    co_await writer.drain();
    CO_ASSERT_EQ(co_await reader.readline(), line);
  }
  writer.write_eof();
  CO_ASSERT_EQ(co_await reader.read(), "");
}

LOCKSTEP_TEST(SimStreams, CancelledClientsLeaveTheServerServing, .seeds = 300,
              .cancellation = {.mode = lockstep::CancellationFuzzing::Mode::kRandom,
                               .at = lockstep::CancellationFuzzing::Point::kBoth,
                               .probability = 0.1,
                               .tasks = "client-*"}) {
  lockstep::Server server = co_await lockstep::start_server(echo_lines, "server", 7000);
  std::vector<lockstep::Task<void>> clients;
  for (int id = 0; id < 6; ++id)
    clients.push_back(lockstep::create_task(client(7000, id), "client-" + std::to_string(id)));
  co_await lockstep::gather(lockstep::return_exceptions, clients);
  for (auto& c : clients) CO_ASSERT_TRUE(c.cancelled() || c.exception() == nullptr);
  co_await client(7000, 99);  // not a target: it must get through
  server.close();
  co_await server.wait_closed();  // every connection, cancelled ones included, is gone
}

}  // namespace
