// The same echo benchmark with Boost.Asio's C++20 coroutines (Debian libboost1.81-dev):
// one io_context, one thread, server and clients in one process.
//   echo_asio pingpong [round_trips] | stream [connections] [messages]
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

awaitable<void> serve(tcp::socket socket) {
  std::vector<char> buf(65536);
  try {
    for (;;) {
      std::size_t n = co_await socket.async_read_some(asio::buffer(buf), use_awaitable);
      co_await asio::async_write(socket, asio::buffer(buf.data(), n), use_awaitable);
    }
  } catch (const boost::system::system_error&) {
    // EOF or reset: done
  }
}

awaitable<void> listen(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

awaitable<void> client(std::uint16_t port, int messages, std::size_t size, long& bytes, int& done,
                       int connections, Clock::time_point start, const char* mode,
                       tcp::acceptor& acceptor) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_awaitable);
  socket.set_option(tcp::no_delay(true));
  std::string message(size, 'x');
  std::vector<char> answer(size);
  for (int i = 0; i < messages; ++i) {
    co_await asio::async_write(socket, asio::buffer(message), use_awaitable);
    bytes +=
        static_cast<long>(co_await asio::async_read(socket, asio::buffer(answer), use_awaitable));
  }
  socket.close();
  if (++done == connections) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double requests = double(connections) * messages;
    std::printf(
        "impl=asio workload=%s requests=%.0f seconds=%.4f us_per_request=%.3f "
        "requests_per_s=%.0f mb_per_s=%.1f check_bytes=%ld\n",
        mode, requests, seconds, seconds * 1e6 / requests, requests / seconds,
        2.0 * double(bytes) / seconds / 1e6, bytes);
    acceptor.close();
  }
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "pingpong";
  const bool pingpong = mode == "pingpong";
  const int connections = pingpong ? 1 : (argc > 2 ? std::atoi(argv[2]) : 100);
  const int messages =
      pingpong ? (argc > 2 ? std::atoi(argv[2]) : 20000) : (argc > 3 ? std::atoi(argv[3]) : 200);
  const std::size_t size = pingpong ? 64 : 4096;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = acceptor.local_endpoint().port();
  asio::co_spawn(io, listen(acceptor), asio::detached);
  long bytes = 0;
  int done = 0;
  const auto start = Clock::now();
  for (int c = 0; c < connections; ++c)
    asio::co_spawn(
        io, client(port, messages, size, bytes, done, connections, start, mode.c_str(), acceptor),
        asio::detached);
  io.run();
}
