// The simulated network's speed: messages per second (real time) through SimNetwork under
// simulate(), for three shapes of traffic. ./bazelw run //bench:sim_net
//   pingpong   one connection, 64-byte request and reply, through streams
//   streaming  100 connections each writing 4 KiB messages to a reader that keeps up
//   datagrams  one endpoint sending to another, which counts them
// A message is one network delivery: a stream segment or a datagram (SimNetwork counts
// them); the figures include everything simulate() does (decisions, steps, tasks).
#include <cstdio>
#include <string>

#include "bench/report.h"
#include "loop/lockstep.h"
#include "loop/net/streams.h"
#include "sim/simulation.h"

namespace {

using lockstep::Coro;
using lockstep::StreamReader;
using lockstep::StreamWriter;

std::uint64_t messages() {
  return static_cast<lockstep::SimNetwork&>(lockstep::network()).messages_sent();
}

constexpr int kRoundTrips = 50'000;
constexpr int kConnections = 100, kMessagesEach = 500;
constexpr std::size_t kMessageSize = 4096;
constexpr int kDatagrams = 200'000;

Coro<void> echo(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string m = co_await reader.read(64);
    if (m.empty()) break;
    writer.write(m);
  }
  writer.close();
}

Coro<std::uint64_t> pingpong() {
  auto server = co_await lockstep::start_server(echo, "server", 7000);
  auto [reader, writer] = co_await lockstep::open_connection("server", 7000);
  const std::string ping(64, 'p');
  for (int i = 0; i < kRoundTrips; ++i) {
    writer.write(ping);
    co_await reader.readexactly(64);
  }
  writer.close();
  server.close();
  co_await server.wait_closed();
  co_return messages();
}

Coro<void> sink(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string chunk = co_await reader.read(1 << 16);
    if (chunk.empty()) break;
  }
  writer.close();
}

Coro<std::uint64_t> streaming() {
  auto server = co_await lockstep::start_server(sink, "server", 7000);
  std::vector<lockstep::Task<void>> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.push_back(lockstep::create_task([]() -> Coro<void> {
      auto [reader, writer] = co_await lockstep::open_connection("server", 7000);
      const std::string message(kMessageSize, 'm');
      for (int i = 0; i < kMessagesEach; ++i) {
        writer.write(message);
        co_await writer.drain();
      }
      writer.close();
      co_await writer.wait_closed();
    }()));
  }
  co_await lockstep::gather(clients);
  server.close();
  co_await server.wait_closed();
  co_return messages();
}

struct Counter : lockstep::DatagramProtocol {
  int got = 0;
  void datagram_received(std::string_view, const lockstep::Address&) override { ++got; }
};

Coro<std::uint64_t> datagrams() {
  auto counter = std::make_shared<Counter>();
  lockstep::DatagramOptions bind;
  bind.local = lockstep::Address::parse("sink:9000");
  auto in = co_await lockstep::network().open_datagram(counter, bind);
  lockstep::DatagramOptions to;
  to.remote = lockstep::Address::parse("sink:9000");
  auto out = co_await lockstep::network().open_datagram(
      std::make_shared<lockstep::DatagramProtocol>(), to);
  for (int i = 0; i < kDatagrams; ++i) {
    out->sendto("datagram");
    if (i % 100 == 99) co_await lockstep::sleep(std::chrono::microseconds(10));
  }
  while (counter->got < kDatagrams) co_await lockstep::sleep(std::chrono::milliseconds(1));
  co_return messages();
}

template <class F>
void measure(const char* name, F program, lockstep::Strategy strategy, double bytes_each = 0) {
  lockstep::SimulationOptions o;
  o.seed = 1;
  o.strategy.kind = strategy;
  lockstep::bench::Stopwatch watch;
  auto run = lockstep::simulate(program, o);
  const double seconds = static_cast<double>(watch.elapsed_ns()) / 1e9;
  if (!run.outcome.ok()) {
    std::printf("%s: failed: %s\n", name,
                lockstep::describe_exception(run.outcome.exception()).c_str());
    return;
  }
  const double n = static_cast<double>(run.outcome.value());
  std::printf(
      "workload=sim_net_%s strategy=%s messages=%.0f seconds=%.3f messages_per_s=%.0f "
      "decisions=%zu virtual_s=%.4f",
      name, lockstep::to_string(strategy), n, seconds, n / seconds, run.decisions.size(),
      lockstep::to_seconds(run.end_time));
  if (bytes_each > 0) std::printf(" MB_per_s=%.1f", bytes_each / seconds / 1e6);
  std::printf(" peak_rss_kb=%ld\n", lockstep::bench::peak_rss_kb());
}

}  // namespace

int main() {
  for (auto s : {lockstep::Strategy::kFaithful, lockstep::Strategy::kFifo}) {
    measure("pingpong", pingpong, s);
    measure("streaming", streaming, s, double(kConnections) * kMessagesEach * kMessageSize);
    measure("datagrams", datagrams, s);
  }
}
