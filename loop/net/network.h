// The network a loop talks to: real sockets, or a simulated network. The one interface
// between the asyncio-shaped API (streams.h, datagram.h) and what carries the bytes.
//
//   // Production: a loop on an EpollDriver gets real sockets by itself.
//   lockstep::EpollDriver real;
//   lockstep::Loop loop({.driver = &real});
//   lockstep::network();   // inside the running loop: a SocketNetwork, made on first use
//
//   // Tests: sim/ installs its simulated network on every loop it runs
//   // (loop.set_network(...)), so the same program talks to simulated hosts instead.
//
// Implementations call protocol callbacks as transport.h describes, and report failures
// as the OSError family (errors.h) with Linux's errno values.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "loop/coro.h"
#include "loop/net/address.h"
#include "loop/net/transport.h"
#include "loop/node.h"

namespace lockstep {

struct ConnectOptions {
  // Bind the connecting socket here first (e.g. a source address); nullopt: any.
  std::optional<Address> local;
};

struct ListenOptions {
  int backlog = 100;          // asyncio's default
  bool reuse_address = true;  // SO_REUSEADDR, asyncio's default on POSIX
  bool reuse_port = false;    // SO_REUSEPORT
};

struct DatagramOptions {
  std::optional<Address> local;   // bind here (port 0: any port)
  std::optional<Address> remote;  // connect here: sendto() without an address goes there
  bool allow_broadcast = false;
  bool reuse_port = false;
};

// Makes a protocol for each accepted connection.
using ProtocolFactory = std::function<std::shared_ptr<Protocol>()>;

// Listening sockets: accepts connections until closed.
class Listener {
 public:
  virtual ~Listener() = default;
  // Where it listens (the actual port if 0 was asked), one per socket: "localhost" may
  // give both 127.0.0.1 and ::1. Empty once closed.
  virtual std::vector<Address> addresses() const = 0;
  // Stops accepting and closes the listening sockets; accepted connections stay open.
  virtual void close() = 0;
  virtual bool is_closed() const noexcept = 0;
};

class Network {
 public:
  virtual ~Network() = default;

  // Connects to `remote` (host:port, or a unix socket path), then binds the connection
  // to `protocol` (connection_made has run when this returns). Throws
  // ConnectionRefusedError if nobody listens there, OSError for other failures (an
  // unknown host: EAI errors as OSError with errno 0 ... see the implementation).
  // Cancellable: a cancelled connect leaves no socket behind.
  virtual Coro<std::shared_ptr<Transport>> connect(Address remote,
                                                   std::shared_ptr<Protocol> protocol,
                                                   ConnectOptions options) = 0;
  // Listens on `local` (port 0: one is picked; see Listener::addresses()); each accepted
  // connection gets factory()'s protocol. Throws OSError (EADDRINUSE, EACCES, ...).
  virtual Coro<std::shared_ptr<Listener>> listen(Address local, ProtocolFactory factory,
                                                 ListenOptions options) = 0;
  // A UDP endpoint bound to options.local and/or connected to options.remote.
  virtual Coro<std::shared_ptr<DatagramTransport>> open_datagram(
      std::shared_ptr<DatagramProtocol> protocol, DatagramOptions options) = 0;

  // The loop is closing: drop every connection and listener at once, with no protocol
  // callbacks (the tasks that would see them are about to be destroyed). Called by
  // Loop::close(); the network is not used after it.
  virtual void shutdown() noexcept = 0;
  // `node` lost power (Loop::kill_node calls this first): its sockets vanish without a
  // word, no FIN and no protocol callback; its ports are free again. Networks without
  // nodes (real sockets) ignore it.
  virtual void node_killed(NodeId /*node*/) noexcept {}

  // "sockets", "simulated": for diagnostics.
  virtual const char* name() const noexcept = 0;

  // The name of the host the calling code runs on (socket.gethostname()): gethostname(2)
  // on real sockets; a node's name on a simulated network.
  virtual std::string hostname() const;
};

// The running loop's network: the one installed with Loop::set_network, else (on a
// driver with file descriptors) real sockets, made on first use. Throws RuntimeError
// outside a running loop, or on a virtual-time loop with no network installed.
Network& network();
// The same for a given loop (which need not be running).
Network& network_of(Loop& loop);
// The running loop's network's hostname(): the machine's name in production, the node's
// name on a node of a simulated World ("localhost" for simulated code outside nodes).
//   std::printf("replica %s starting\n", lockstep::hostname().c_str());
std::string hostname();

}  // namespace lockstep
