// An echo server and client over real sockets.
//
//   ./bazelw run //examples:echo                                  # both, in one process
//   ./bazelw run //examples:echo -- server 127.0.0.1:0            # prints the port; Ctrl-C stops
//   ./bazelw run //examples:echo -- client 127.0.0.1:PORT hi there
//
// The same coroutines (echo.h) run under simulation in //examples:echo_sim_test.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "examples/echo/echo.h"
#include "loop/epoll_driver.h"

namespace {

lockstep::Coro<void> run_server(lockstep::Address where) {
  lockstep::Server server = co_await lockstep::start_server(echo::serve, where.host, where.port);
  std::printf("echo server listening on %s\n", server.sockets().at(0).to_string().c_str());
  std::fflush(stdout);
  co_await server.serve_forever();  // until Ctrl-C cancels us
}

lockstep::Coro<void> run_client(lockstep::Address where, std::vector<std::string> lines) {
  std::vector<std::string> answers = co_await echo::ask(where.host, where.port, lines);
  for (std::size_t i = 0; i < lines.size(); ++i)
    std::printf("sent '%s', got '%s'\n", lines[i].c_str(), answers[i].c_str());
}

// Both ends in one process: a server on a port the kernel picks, three clients at once.
lockstep::Coro<void> demo() {
  lockstep::Server server = co_await lockstep::start_server(echo::serve, "127.0.0.1", 0);
  std::printf("server listening on 127.0.0.1 (port %s)\n", "chosen by the kernel");
  std::vector<lockstep::Task<std::vector<std::string>>> clients;
  for (int c = 1; c <= 3; ++c) {
    std::vector<std::string> lines;
    for (int i = 1; i <= 2; ++i)
      lines.push_back("client " + std::to_string(c) + " says " + std::to_string(i));
    clients.push_back(lockstep::create_task(echo::ask("127.0.0.1", server.port(), lines)));
  }
  auto answers = co_await lockstep::gather(std::move(clients));
  for (const auto& per_client : answers)
    for (const auto& a : per_client) std::printf("echoed: %s\n", a.c_str());
  server.close();
  co_await server.wait_closed();
  std::printf("server closed after %zu connections\n", answers.size());
}

int usage() {
  std::fprintf(stderr,
               "usage: echo                        (server and clients in one process)\n"
               "       echo server HOST:PORT       (port 0: the kernel picks one)\n"
               "       echo client HOST:PORT LINE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  lockstep::EpollDriver real;  // real time and real sockets
  lockstep::RunOptions options;
  options.driver = &real;
  try {
    if (argc == 1) {
      lockstep::run(demo(), options);
    } else if (argc == 3 && std::strcmp(argv[1], "server") == 0) {
      lockstep::run(run_server(lockstep::Address::parse(argv[2])), options);
    } else if (argc >= 4 && std::strcmp(argv[1], "client") == 0) {
      lockstep::run(run_client(lockstep::Address::parse(argv[2]),
                               std::vector<std::string>(argv + 3, argv + argc)),
                    options);
    } else {
      return usage();
    }
  } catch (const lockstep::KeyboardInterrupt& e) {
    std::printf("%s: shut down\n", e.what());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
