#include "loop/net/datagram.h"

#include <deque>

#include "loop/errors.h"
#include "loop/internal/waiters.h"
#include "loop/loop.h"

namespace lockstep {

namespace internal {

// The protocol behind a DatagramEndpoint: a bounded queue of received datagrams, the
// pending error, and the waiters of recvfrom and of flow control.
class DatagramQueue final : public DatagramProtocol,
                            public Diagnosable,
                            public std::enable_shared_from_this<DatagramQueue> {
 public:
  explicit DatagramQueue(std::size_t max_queued) : max_queued_(max_queued) {}

  void connection_made(std::shared_ptr<DatagramTransport> transport) override {
    transport_ = std::move(transport);
  }
  void datagram_received(std::string_view data, const Address& from) override {
    if (queue_.size() >= max_queued_) {
      ++dropped_;
      return;
    }
    queue_.push_back({std::string(data), from});
    wake(receivers_);
  }
  void error_received(std::exception_ptr error) override {
    error_ = error;
    wake(receivers_);
  }
  void connection_lost(std::exception_ptr error) override {
    lost_ = true;
    if (error) error_ = error;
    wake(receivers_);
    wake(senders_);
  }
  void pause_writing() override { paused_ = true; }
  void resume_writing() override {
    paused_ = false;
    wake(senders_);
  }

  Coro<Datagram> recvfrom() {
    auto self = shared_from_this();
    for (;;) {
      if (!queue_.empty()) {
        Datagram d = std::move(queue_.front());
        queue_.pop_front();
        co_return d;
      }
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
      if (lost_ || (transport_ && transport_->is_closing()))
        throw RuntimeError("lockstep: recvfrom() on a closed datagram endpoint");
      co_await wait(receivers_, "DatagramEndpoint.recvfrom()");
    }
  }

  Coro<void> sendto(std::string data, std::optional<Address> to) {
    auto self = shared_from_this();
    if (lost_ || !transport_)
      throw RuntimeError("lockstep: sendto() on a closed datagram endpoint");
    transport_->sendto(data, std::move(to));
    while (paused_ && !lost_) co_await wait(senders_, "DatagramEndpoint.sendto()");
  }

  DatagramTransport& transport() const { return *transport_; }
  std::size_t dropped() const noexcept { return dropped_; }

  std::string diagnosis() const override {
    std::string text = "the datagram endpoint";
    if (transport_)
      if (auto at = transport_->sockname()) text += " at " + at->to_string();
    return text + " (" + std::to_string(queue_.size()) + " datagrams queued)";
  }

 private:
  Coro<void> wait(Waiters& waiters, const char* what) {
    Loop* loop = Loop::current();
    if (!loop) throw RuntimeError(std::string("lockstep: ") + what + " needs a running loop");
    Future<void> waiter = make_waiter(*loop, what, this);
    waiters.push_back(waiter);
    struct Remove {
      Waiters& ws;
      Future<void>& w;
      ~Remove() { remove_waiter(ws, w); }
    } remove{waiters, waiter};
    co_await waiter;
  }
  static void wake(Waiters& waiters) {
    for (Future<void>& w : waiters)
      if (!w.done()) w.set_result();
  }

  std::shared_ptr<DatagramTransport> transport_;
  std::deque<Datagram> queue_;
  std::size_t max_queued_;
  std::size_t dropped_ = 0;
  std::exception_ptr error_;
  bool lost_ = false;
  bool paused_ = false;
  Waiters receivers_, senders_;
};

}  // namespace internal

Coro<Datagram> DatagramEndpoint::recvfrom() { return queue_->recvfrom(); }
Coro<void> DatagramEndpoint::sendto(std::string data, std::optional<Address> to) {
  return queue_->sendto(std::move(data), std::move(to));
}
void DatagramEndpoint::close() { queue_->transport().close(); }
bool DatagramEndpoint::is_closing() const { return queue_->transport().is_closing(); }
std::optional<Address> DatagramEndpoint::sockname() const { return queue_->transport().sockname(); }
std::optional<Address> DatagramEndpoint::peername() const { return queue_->transport().peername(); }
std::size_t DatagramEndpoint::dropped() const { return queue_->dropped(); }
DatagramTransport& DatagramEndpoint::transport() const { return queue_->transport(); }

namespace {
Coro<DatagramEndpoint> open_endpoint(std::shared_ptr<internal::DatagramQueue> queue,
                                     DatagramOptions options) {
  co_await network().open_datagram(queue, std::move(options));
  co_return DatagramEndpoint(queue);
}
}  // namespace

Coro<DatagramEndpoint> open_datagram_endpoint(DatagramEndpointOptions options) {
  if (options.max_queued == 0) throw std::invalid_argument("lockstep: max_queued must be positive");
  // Not a coroutine itself: g++ 12 mishandles a coroutine parameter of a type derived
  // from an aggregate (free(): invalid pointer); the coroutine gets the plain parts.
  return open_endpoint(std::make_shared<internal::DatagramQueue>(options.max_queued),
                       DatagramOptions(options));
}

Coro<std::shared_ptr<DatagramTransport>> create_datagram_endpoint(
    std::shared_ptr<DatagramProtocol> protocol, DatagramOptions options) {
  return network().open_datagram(std::move(protocol), std::move(options));
}

}  // namespace lockstep
