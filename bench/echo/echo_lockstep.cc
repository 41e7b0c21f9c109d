// Echo over loopback with lockstep's real driver: one process, one thread, server and
// clients on the same loop (as every implementation in bench/echo does).
//   echo_lockstep pingpong [round_trips]          1 connection, 64-byte messages
//   echo_lockstep stream [connections] [messages]  4 KiB request/response per connection
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "loop/epoll_driver.h"
#include "loop/lockstep.h"

namespace {

using Clock = std::chrono::steady_clock;

lockstep::Coro<void> serve(lockstep::StreamReader reader, lockstep::StreamWriter writer) {
  for (;;) {
    std::string data = co_await reader.read(65536);
    if (data.empty()) break;
    writer.write(data);
    co_await writer.drain();
  }
  writer.close();
}

lockstep::Coro<long> client(std::uint16_t port, int messages, std::size_t size) {
  auto [reader, writer] = co_await lockstep::open_connection("127.0.0.1", port);
  const std::string message(size, 'x');
  long bytes = 0;
  for (int i = 0; i < messages; ++i) {
    writer.write(message);
    co_await writer.drain();
    bytes += static_cast<long>((co_await reader.readexactly(size)).size());
  }
  writer.close();
  co_return bytes;
}

lockstep::Coro<void> bench(std::string mode, int connections, int messages) {
  lockstep::Server server = co_await lockstep::start_server(serve, "127.0.0.1", 0);
  const std::size_t size = mode == "pingpong" ? 64 : 4096;
  const auto start = Clock::now();
  std::vector<lockstep::Task<long>> tasks;
  for (int c = 0; c < connections; ++c)
    tasks.push_back(lockstep::create_task(client(server.port(), messages, size)));
  std::vector<long> bytes = co_await lockstep::gather(std::move(tasks));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  long total = 0;
  for (long b : bytes) total += b;
  const double requests = double(connections) * messages;
  std::printf(
      "impl=lockstep workload=%s requests=%.0f seconds=%.4f us_per_request=%.3f "
      "requests_per_s=%.0f mb_per_s=%.1f check_bytes=%ld\n",
      mode.c_str(), requests, seconds, seconds * 1e6 / requests, requests / seconds,
      2.0 * double(total) / seconds / 1e6, total);
  server.close();
  server.close_clients();
  co_await server.wait_closed();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "pingpong";
  const bool pingpong = mode == "pingpong";
  const int connections = pingpong ? 1 : (argc > 2 ? std::atoi(argv[2]) : 100);
  const int messages =
      pingpong ? (argc > 2 ? std::atoi(argv[2]) : 20000) : (argc > 3 ? std::atoi(argv[3]) : 200);
  lockstep::EpollDriver real;
  lockstep::RunOptions options;
  options.driver = &real;
  lockstep::run(bench(mode, connections, messages), options);
}
