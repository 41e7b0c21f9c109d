#include "loop/net/network.h"

#include <unistd.h>

#include "loop/errors.h"
#include "loop/loop.h"
#include "loop/net/socket_network.h"

namespace lockstep {

Network& network_of(Loop& loop) {
  if (Network* installed = loop.network()) return *installed;
  if (!loop.io()) {
    throw RuntimeError(
        "lockstep: this loop has no network: its driver simulates time and has no sockets, "
        "and no simulated network is installed (run under lockstep::simulate(), which "
        "installs one, or call Loop::set_network)");
  }
  loop.set_network(std::make_shared<SocketNetwork>(loop));
  return *loop.network();
}

std::string Network::hostname() const {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string hostname() { return network().hostname(); }

Network& network() {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: the network API needs a running loop");
  return network_of(*loop);
}

}  // namespace lockstep
