// StreamWriter, Server and the stream entry points (asyncio's streams.py and
// base_events.Server).
#include "loop/net/streams.h"

#include <map>

#include "loop/errors.h"
#include "loop/internal/waiters.h"
#include "loop/loop.h"
#include "loop/net/stream_protocol.h"
#include "loop/net/stream_reader.h"
#include "loop/sleep.h"

namespace lockstep {

// --- StreamWriter ---

void StreamWriter::write(std::string_view data) { transport_->write(data); }

void StreamWriter::writelines(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) transport_->write(line);
}

void StreamWriter::write_eof() { transport_->write_eof(); }
bool StreamWriter::can_write_eof() const { return transport_->can_write_eof(); }
void StreamWriter::close() { transport_->close(); }
bool StreamWriter::is_closing() const { return transport_->is_closing(); }

Coro<void> StreamWriter::wait_closed() { return protocol_->wait_closed(); }

namespace {
Coro<void> drain_impl(std::shared_ptr<Transport> transport,
                      std::shared_ptr<internal::StreamProtocol> protocol,
                      std::shared_ptr<internal::StreamReaderState> reader) {
  if (reader && reader->exception()) std::rethrow_exception(reader->exception());
  // Closing: let connection_lost run first, so drain raises the error the connection
  // ended with (or ConnectionResetError) instead of returning.
  if (transport->is_closing()) co_await sleep(Duration::zero());
  co_await protocol->drain_helper();
}
}  // namespace

Coro<void> StreamWriter::drain() { return drain_impl(transport_, protocol_, reader_); }

std::optional<Address> StreamWriter::get_extra_info(std::string_view name) const {
  if (name == "peername") return transport_->peername();
  if (name == "sockname") return transport_->sockname();
  return std::nullopt;
}
std::optional<Address> StreamWriter::peername() const { return transport_->peername(); }
std::optional<Address> StreamWriter::sockname() const { return transport_->sockname(); }

// --- Server ---

namespace internal {

class ServerState final : public Diagnosable, public std::enable_shared_from_this<ServerState> {
 public:
  explicit ServerState(Loop& loop) : loop_(loop) {}

  void set_listener(std::shared_ptr<Listener> listener) { listener_ = std::move(listener); }

  std::uint64_t attach(const std::shared_ptr<Transport>& transport) {
    clients_.emplace(++last_client_, transport);
    return last_client_;
  }
  void detach(std::uint64_t id) {
    clients_.erase(id);
    if (clients_.empty() && closed_) wakeup();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if (listener_) listener_->close();
    if (serving_forever_ && !serving_forever_->done()) serving_forever_->cancel();
    serving_forever_.reset();
    if (clients_.empty()) wakeup();
  }

  Coro<void> wait_closed() {
    auto self = shared_from_this();
    if (closed_ && clients_.empty()) co_return;
    Future<void> waiter = make_waiter(loop_, "Server.wait_closed()", this);
    waiters_.push_back(waiter);
    co_await waiter;
  }

  Coro<void> serve_forever() {
    auto self = shared_from_this();
    if (serving_forever_)
      throw RuntimeError("lockstep: the server is already being awaited on serve_forever()");
    if (closed_) throw RuntimeError("lockstep: the server is closed");
    Future<void> forever(loop_);
    serving_forever_ = forever;
    std::exception_ptr cancelled;
    try {
      co_await forever;
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    serving_forever_.reset();
    // asyncio: cancelled (by close() or by our own task's cancellation): close, wait for
    // the connections, and end cancelled.
    close();
    co_await wait_closed();
    if (cancelled) std::rethrow_exception(cancelled);
  }

  void for_each_client(void (Transport::*action)()) {
    std::vector<std::shared_ptr<Transport>> live;
    for (auto& [id, weak] : clients_)
      if (auto t = weak.lock()) live.push_back(t);
    for (auto& t : live) ((*t).*action)();
  }

  bool closed() const noexcept { return closed_; }
  std::vector<Address> sockets() const {
    return closed_ || !listener_ ? std::vector<Address>{} : listener_->addresses();
  }
  std::size_t active() const noexcept { return clients_.size(); }
  Loop& loop() const noexcept { return loop_; }

  std::string diagnosis() const override {
    std::string text = "the Server";
    auto where = listener_ ? listener_->addresses() : std::vector<Address>{};
    if (!where.empty()) text += " on " + where[0].to_string();
    text += closed_ ? " (closed, " : " (serving, ";
    return text + std::to_string(clients_.size()) + " connections open)";
  }

 private:
  void wakeup() {
    for (Future<void>& w : waiters_)
      if (!w.done()) w.set_result();
    waiters_.clear();
  }

  Loop& loop_;
  std::shared_ptr<Listener> listener_;
  std::map<std::uint64_t, std::weak_ptr<Transport>> clients_;
  std::uint64_t last_client_ = 0;
  bool closed_ = false;
  Waiters waiters_;
  std::optional<Future<void>> serving_forever_;
};

namespace {

// Wraps each accepted connection's protocol so the server knows its connections
// (asyncio's Server._attach/_detach, which its transports call).
class ServedProtocol final : public Protocol {
 public:
  ServedProtocol(std::shared_ptr<Protocol> inner, std::weak_ptr<ServerState> server)
      : inner_(std::move(inner)), server_(std::move(server)) {}
  void connection_made(std::shared_ptr<Transport> transport) override {
    if (auto s = server_.lock()) id_ = s->attach(transport);
    inner_->connection_made(std::move(transport));
  }
  void data_received(std::string_view data) override { inner_->data_received(data); }
  bool eof_received() override { return inner_->eof_received(); }
  void connection_lost(std::exception_ptr error) override {
    struct Detach {
      ServedProtocol& p;
      ~Detach() {
        if (auto s = p.server_.lock(); s && p.id_) s->detach(p.id_);
      }
    } detach{*this};
    inner_->connection_lost(error);
  }
  void pause_writing() override { inner_->pause_writing(); }
  void resume_writing() override { inner_->resume_writing(); }

 private:
  std::shared_ptr<Protocol> inner_;
  std::weak_ptr<ServerState> server_;
  std::uint64_t id_ = 0;
};

Address address_of(std::string host, std::uint16_t port) {
  const AddressFamily family = Address::family_of(host);
  return Address{family, std::move(host), port};
}

Coro<Server> serve(ProtocolFactory factory, Address where, ServerOptions options) {
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: start_server needs a running loop");
  auto state = std::make_shared<ServerState>(*loop);
  std::weak_ptr<ServerState> weak = state;
  ProtocolFactory counted = [factory = std::move(factory), weak]() -> std::shared_ptr<Protocol> {
    std::shared_ptr<Protocol> inner = factory();
    if (!inner) return nullptr;
    return std::make_shared<ServedProtocol>(std::move(inner), weak);
  };
  ListenOptions listen{.backlog = options.backlog,
                       .reuse_address = options.reuse_address,
                       .reuse_port = options.reuse_port};
  state->set_listener(co_await network().listen(std::move(where), std::move(counted), listen));
  co_return Server(state);
}

ProtocolFactory stream_factory(ClientConnected handler, std::size_t limit) {
  if (!handler) throw std::invalid_argument("lockstep: start_server needs a handler");
  // Fail at the call, not at the first connection, if the limit is unusable.
  (void)StreamReaderState(limit);
  return [handler = std::move(handler), limit]() -> std::shared_ptr<Protocol> {
    return std::make_shared<StreamProtocol>(std::make_shared<StreamReaderState>(limit), handler);
  };
}

Coro<std::pair<StreamReader, StreamWriter>> connect_streams(Address where, StreamOptions options) {
  auto reader = std::make_shared<StreamReaderState>(options.limit);
  auto protocol = std::make_shared<StreamProtocol>(reader);
  // A named ConnectOptions, not a temporary in the co_await: g++ 12 can destroy such
  // temporaries twice.
  ConnectOptions connect;
  connect.local = options.local;
  std::shared_ptr<Transport> transport =
      co_await network().connect(std::move(where), protocol, std::move(connect));
  co_return std::pair{StreamReader(reader), StreamWriter(transport, protocol, reader)};
}

}  // namespace
}  // namespace internal

void Server::close() { state_->close(); }
Coro<void> Server::wait_closed() { return state_->wait_closed(); }
Coro<void> Server::serve_forever() { return state_->serve_forever(); }
bool Server::is_serving() const { return !state_->closed(); }
void Server::close_clients() { state_->for_each_client(&Transport::close); }
void Server::abort_clients() { state_->for_each_client(&Transport::abort); }
std::vector<Address> Server::sockets() const { return state_->sockets(); }
std::size_t Server::active_connections() const { return state_->active(); }
std::uint16_t Server::port() const {
  std::vector<Address> where = state_->sockets();
  if (where.empty()) throw RuntimeError("lockstep: Server::port() of a closed server");
  return where[0].port;
}

// --- entry points ---

Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            StreamOptions options) {
  return internal::connect_streams(internal::address_of(std::move(host), port), std::move(options));
}

Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path,
                                                                 StreamOptions options) {
  return internal::connect_streams(Address{AddressFamily::kUnix, std::move(path), 0},
                                   std::move(options));
}

Coro<Server> start_server(ClientConnected handler, std::string host, std::uint16_t port,
                          ServerOptions options) {
  ProtocolFactory factory = internal::stream_factory(std::move(handler), options.limit);
  return internal::serve(std::move(factory), internal::address_of(std::move(host), port), options);
}

Coro<Server> start_unix_server(ClientConnected handler, std::string path, ServerOptions options) {
  ProtocolFactory factory = internal::stream_factory(std::move(handler), options.limit);
  return internal::serve(std::move(factory), Address{AddressFamily::kUnix, std::move(path), 0},
                         options);
}

Coro<std::shared_ptr<Transport>> create_connection(std::shared_ptr<Protocol> protocol,
                                                   std::string host, std::uint16_t port,
                                                   ConnectOptions options) {
  return network().connect(internal::address_of(std::move(host), port), std::move(protocol),
                           std::move(options));
}

Coro<Server> create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                           ServerOptions options) {
  if (!factory) throw std::invalid_argument("lockstep: create_server needs a protocol factory");
  return internal::serve(std::move(factory), internal::address_of(std::move(host), port), options);
}

}  // namespace lockstep
