// A listening port of the simulated network (internal; see sim_network.h): SYNs that
// reach it are accepted (net_state.cc), each with a protocol from the factory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loop/net/network.h"
#include "sim/net/net_state.h"

namespace lockstep::internal {

class SimListener final : public Listener,
                          public NetResource,
                          public std::enable_shared_from_this<SimListener> {
 public:
  SimListener(std::shared_ptr<NetState> net, Address address, std::string key,
              ProtocolFactory factory)
      : net_(std::move(net)),
        address_(std::move(address)),
        key_(std::move(key)),
        factory_(std::move(factory)) {
    node = net_->loop.current_node();
  }

  // Takes the port and registers with the network.
  void open() {
    id_ = net_->add(shared_from_this());
    net_->listeners[{key_, address_.port}] = weak_from_this();
  }
  ProtocolFactory& factory() noexcept { return factory_; }

  std::vector<Address> addresses() const override {
    if (closed_) return {};
    return {address_};
  }
  void close() override {
    if (closed_) return;
    auto keep = shared_from_this();
    release();
    // The factory may hold what holds us (a server's state): let it go, but in a later
    // callback, since close() may be running inside it.
    net_->loop.call_soon([dead = std::move(factory_)] {});
    net_->remove(id_);
  }
  bool is_closed() const noexcept override { return closed_; }
  void crash() noexcept override {
    release();
    factory_ = nullptr;
  }
  void drop() noexcept override {
    closed_ = true;
    factory_ = nullptr;  // breaks a cycle through the factory (the loop is closing)
  }

 private:
  void release() noexcept {
    closed_ = true;
    auto it = net_->listeners.find({key_, address_.port});
    if (it != net_->listeners.end() && it->second.lock().get() == this) net_->listeners.erase(it);
  }

  std::shared_ptr<NetState> net_;
  std::uint64_t id_ = 0;
  Address address_;
  std::string key_;
  ProtocolFactory factory_;
  bool closed_ = false;
};

}  // namespace lockstep::internal
