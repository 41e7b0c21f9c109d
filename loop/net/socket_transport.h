// A TCP or unix stream connection on a real socket (internal; see socket_network.h).
// A port of asyncio's _SelectorSocketTransport.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "loop/net/transport.h"

namespace lockstep {
class Loop;
}

namespace lockstep::internal {

// What SocketNetwork::shutdown() must drop: an open connection, listener or endpoint.
class SocketResource {
 public:
  virtual ~SocketResource() = default;
  // Closes the socket now, with no protocol callbacks (the loop is closing).
  virtual void drop() noexcept = 0;
};

// The network's open sockets. Holds each strongly while it is open (as asyncio's
// selector does): a connection nobody holds keeps running until it is lost.
struct SocketRegistry {
  std::map<std::uint64_t, std::shared_ptr<SocketResource>> open;
  std::uint64_t last_id = 0;
  bool shut_down = false;
  // One read buffer for all connections: data_received consumes it synchronously.
  std::unique_ptr<char[]> read_buffer;
  static constexpr std::size_t kReadSize = kMaxReadSize;

  std::uint64_t add(std::shared_ptr<SocketResource> r) {
    open.emplace(++last_id, std::move(r));
    return last_id;
  }
  void remove(std::uint64_t id) noexcept { open.erase(id); }
  char* buffer() {
    if (!read_buffer) read_buffer = std::make_unique<char[]>(kReadSize);
    return read_buffer.get();
  }
};

class SocketTransport final : public Transport,
                              public SocketResource,
                              public std::enable_shared_from_this<SocketTransport> {
 public:
  SocketTransport(Loop& loop, std::shared_ptr<SocketRegistry> registry, int fd,
                  std::shared_ptr<Protocol> protocol);
  ~SocketTransport() override;

  // Calls connection_made and starts reading.
  void start();

  void write(std::string_view data) override;
  void write_eof() override;
  bool can_write_eof() const noexcept override { return true; }
  void close() override;
  void abort() override;
  bool is_closing() const noexcept override { return closing_; }
  void pause_reading() override;
  void resume_reading() override;
  bool is_reading() const noexcept override { return !paused_ && !closing_; }
  std::size_t write_buffer_size() const noexcept override { return buffer_.size() - head_; }
  void set_write_buffer_limits(std::optional<std::size_t> high,
                               std::optional<std::size_t> low) override;
  WriteBufferLimits write_buffer_limits() const noexcept override { return flow_.limits(); }
  std::optional<Address> peername() const override { return peer_; }
  std::optional<Address> sockname() const override { return local_; }
  int fileno() const noexcept override { return fd_; }

  void drop() noexcept override;

 private:
  void read_ready();
  void write_ready();
  void on_eof();
  void add_reader();
  void add_writer();
  void fatal_error(std::exception_ptr error, const char* message);
  void force_close(std::exception_ptr error);
  void call_connection_lost(std::exception_ptr error);
  void close_fd() noexcept;

  Loop& loop_;
  std::shared_ptr<SocketRegistry> registry_;
  std::uint64_t registry_id_ = 0;
  int fd_;
  std::shared_ptr<Protocol> protocol_;
  std::optional<Address> peer_, local_;
  std::string buffer_;  // unsent bytes from head_ on
  std::size_t head_ = 0;
  WriteFlowControl flow_;
  int conn_lost_ = 0;  // > 0: connection_lost is scheduled or done; writes dropped
  bool closing_ = false;
  bool eof_ = false;     // write_eof() called
  bool paused_ = false;  // pause_reading()
  bool reader_on_ = false;
  bool writer_on_ = false;
};

}  // namespace lockstep::internal
