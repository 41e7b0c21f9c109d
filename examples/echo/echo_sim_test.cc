// The echo service of examples/echo under simulation: the very coroutines that talk over
// real sockets in //examples:echo, here on the simulated network, for 1,000 seeds each,
// the second with clients cancelled at random awaits.
//
//   ./bazelw test //examples:echo_sim_test
//   LOCKSTEP_SEEDS=20000 ./bazelw test //examples:echo_sim_test
#include <string>
#include <vector>

#include "examples/echo/echo.h"
#include "sim/testing/lockstep_test.h"

using lockstep::Coro;

namespace {

std::vector<std::string> lines_of(int client) {
  std::vector<std::string> lines;
  for (int i = 0; i < 3; ++i)
    lines.push_back("client " + std::to_string(client) + " line " + std::to_string(i));
  return lines;
}

}  // namespace

LOCKSTEP_TEST(EchoSim, EveryClientGetsItsOwnLinesBack, .seeds = 1000) {
  lockstep::Server server = co_await lockstep::start_server(echo::serve, "server", 7000);
  std::vector<lockstep::Task<std::vector<std::string>>> clients;
  for (int c = 0; c < 5; ++c)
    clients.push_back(lockstep::create_task(echo::ask("server", 7000, lines_of(c)),
                                            "client-" + std::to_string(c)));
  for (int c = 0; c < 5; ++c) CO_ASSERT_EQ(co_await clients[c], lines_of(c));
  server.close();
  co_await server.wait_closed();  // every connection was closed by its client
}

// A client cancelled anywhere (connecting, writing, waiting for its answer) must cost
// the others nothing: they still get exactly their lines, and the server shuts down.
LOCKSTEP_TEST(EchoSim, CancelledClientsDoNotDisturbTheOthers, .seeds = 1000,
              .cancellation = {.mode = lockstep::CancellationFuzzing::Mode::kRandom,
                               .probability = 0.05,
                               .tasks = "client-*"}) {
  lockstep::Server server = co_await lockstep::start_server(echo::serve, "server", 7000);
  std::vector<lockstep::Task<std::vector<std::string>>> clients;
  for (int c = 0; c < 5; ++c)
    clients.push_back(lockstep::create_task(echo::ask("server", 7000, lines_of(c)),
                                            "client-" + std::to_string(c)));
  co_await lockstep::gather(lockstep::return_exceptions, clients);
  for (int c = 0; c < 5; ++c) {
    if (!clients[c].cancelled()) {
      CO_ASSERT_EQ(clients[c].result(), lines_of(c));
    }
  }
  server.close();
  server.close_clients();  // the connections cancelled clients left open
  co_await server.wait_closed();
}
