// Helpers shared by the bug set's protocols.
#include <algorithm>
#include <sstream>

#include "loop/lockstep.h"
#include "loop/net/errors.h"
#include "loop/net/streams.h"
#include "tests/world_bugs/bugs.h"

namespace lockstep::bugs {

std::vector<Bug> all_bugs() {
  return {raft_vote_bug(),      raft_stale_log_bug(), quorum_fsync_bug(),     lease_clock_bug(),
          transfer_retry_bug(), counter_dedupe_bug(), two_phase_commit_bug(), primary_backup_bug()};
}

WorldFaults pick_faults(World& world, const WorldFaults& faults, Mix mix) {
  if (mix == Mix::kFixed) return faults;
  if (mix == Mix::kSwarm) return world.swarm(faults);
  WorldFaults ceiling = faults;
  for (double* p :
       {&ceiling.crash, &ceiling.partition, &ceiling.loss, &ceiling.duplicate, &ceiling.clock_step})
    *p = std::min(1.0, 2 * *p);
  return world.swarm(ceiling);
}

Address at(const std::string& host, std::uint16_t port) {
  return Address::parse(host + ":" + std::to_string(port));
}

namespace {
DatagramEndpointOptions udp_options(const std::string& host, std::uint16_t port) {
  DatagramEndpointOptions o;
  o.local = at(host, port);
  return o;
}

Coro<std::optional<std::string>> udp_exchange(DatagramEndpoint& ep, std::string request) {
  co_await ep.sendto(std::move(request));
  Datagram d = co_await ep.recvfrom();
  co_return std::move(d.data);
}

Coro<std::optional<std::string>> tcp_exchange(std::string host, std::uint16_t port,
                                              std::string request) {
  auto [reader, writer] = co_await open_connection(host, port);
  writer.write(request + "\n");
  std::string line = co_await reader.readline();
  writer.close();
  if (line.empty() || line.back() != '\n') co_return std::nullopt;
  line.pop_back();
  co_return line;
}

Coro<void> serve_connection(LineHandler handle, StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty() || line.back() != '\n') break;
    line.pop_back();
    std::string reply = co_await handle(std::move(line));
    writer.write(reply + "\n");
    co_await writer.drain();
  }
  writer.close();
}
}  // namespace

Coro<DatagramEndpoint> bind_udp(std::string host, std::uint16_t port) {
  const DatagramEndpointOptions o = udp_options(host, port);
  co_return co_await open_datagram_endpoint(o);
}

Coro<std::optional<std::string>> udp_call(std::string host, std::uint16_t port, std::string request,
                                          Duration timeout) {
  // A connected endpoint: its source address is this host's name (one bound to 0.0.0.0
  // would send from "0.0.0.0", and the reply would go to the replier itself).
  DatagramEndpointOptions o;
  o.remote = at(host, port);
  DatagramEndpoint ep = co_await open_datagram_endpoint(o);
  std::optional<std::string> reply;
  try {
    reply = co_await wait_for(udp_exchange(ep, std::move(request)), timeout);
  } catch (const TimeoutError&) {
  } catch (const OSError&) {
  } catch (const RuntimeError&) {
  }
  ep.close();
  co_return reply;
}

Coro<std::optional<std::string>> tcp_call(std::string host, std::uint16_t port, std::string request,
                                          Duration timeout) {
  try {
    co_return co_await wait_for(tcp_exchange(std::move(host), port, std::move(request)), timeout);
  } catch (const TimeoutError&) {
  } catch (const OSError&) {
  } catch (const IncompleteReadError&) {
  }
  co_return std::nullopt;
}

Coro<void> serve_lines(std::uint16_t port, LineHandler handle) {
  const ClientConnected handler = [handle](StreamReader r, StreamWriter w) {
    return serve_connection(handle, std::move(r), std::move(w));
  };
  Server server = co_await start_server(handler, "0.0.0.0", port);
  co_await server.serve_forever();
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace lockstep::bugs
