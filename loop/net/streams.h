// asyncio's streams: open_connection / start_server, StreamReader / StreamWriter. The
// same code runs over real sockets (an EpollDriver loop) and over the simulated network
// (under lockstep::simulate()).
//
//   lockstep::Coro<void> handle(lockstep::StreamReader reader, lockstep::StreamWriter writer) {
//     while (true) {
//       std::string line = co_await reader.readline();   // "" at EOF
//       if (line.empty()) break;
//       writer.write(line);
//       co_await writer.drain();                          // backpressure
//     }
//     writer.close();
//     co_await writer.wait_closed();
//   }
//
//   lockstep::Server server = co_await lockstep::start_server(handle, "127.0.0.1", 0);
//   std::uint16_t port = server.port();                    // the kernel's choice
//   auto [reader, writer] = co_await lockstep::open_connection("127.0.0.1", port);
//
// Semantics are CPython 3.11's streams.py, with these choices where it leaves room:
//   - A read that is cancelled consumes nothing: the bytes stay for the next read.
//   - A handler that throws is reported to the loop's exception handler ("Unhandled
//     exception in client_connected_cb") and its connection is closed (Python 3.12).
//   - Server::wait_closed() returns once the server is closed and every connection it
//     accepted is gone (Python 3.12.1; 3.11 returned at once after close()).
//   - Server::close_clients() / abort_clients() as Python 3.13.
// Reader and writer are handles: copies refer to the same stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/net/address.h"
#include "loop/net/errors.h"
#include "loop/net/network.h"
#include "loop/net/transport.h"

namespace lockstep {

namespace internal {
class StreamReaderState;
class StreamProtocol;
class ServerState;
}  // namespace internal

// asyncio.StreamReader: a buffer fed by the connection, read by one task at a time.
class StreamReader {
 public:
  static constexpr std::size_t kDefaultLimit = 64 * 1024;  // asyncio's _DEFAULT_LIMIT

  // A reader not attached to any connection: feed it with feed_data/feed_eof (tests).
  explicit StreamReader(std::size_t limit = kDefaultLimit);

  // Up to n bytes (at least 1 unless at EOF: then ""). n < 0: everything until EOF.
  [[nodiscard]] Coro<std::string> read(std::ptrdiff_t n = -1);
  // Exactly n bytes; IncompleteReadError (with the bytes it got) if EOF comes first.
  [[nodiscard]] Coro<std::string> readexactly(std::size_t n);
  // Up to and including the next '\n'; at EOF what is left (possibly ""). A line longer
  // than limit(): ValueError-like std::length_error, and the line is discarded.
  [[nodiscard]] Coro<std::string> readline();
  // Up to and including `separator`. IncompleteReadError at EOF (the rest is consumed);
  // LimitOverrunError if it is not found within limit() bytes (nothing is consumed).
  [[nodiscard]] Coro<std::string> readuntil(std::string separator = "\n");

  // True iff EOF was fed and the buffer is empty.
  bool at_eof() const;
  // The error the connection ended with, or null.
  std::exception_ptr exception() const;
  std::size_t limit() const;
  // Bytes received and not read yet.
  std::size_t buffered() const;

  // What the protocol does (public, as asyncio's, for readers fed by hand).
  void feed_data(std::string_view data);
  void feed_eof();
  void set_exception(std::exception_ptr error);

  // Internal: the reader of a connection.
  explicit StreamReader(std::shared_ptr<internal::StreamReaderState> state)
      : state_(std::move(state)) {}

 private:
  std::shared_ptr<internal::StreamReaderState> state_;
};

// asyncio.StreamWriter: writes go to the transport's buffer at once; drain() waits
// while it is over its high-water mark.
class StreamWriter {
 public:
  void write(std::string_view data);
  void writelines(const std::vector<std::string>& lines);
  // Shuts down the sending side after the buffer is flushed (a half-close): the peer
  // reads EOF; we can still read.
  void write_eof();
  bool can_write_eof() const;
  // Flushes, then closes the connection. wait_closed() waits for it.
  void close();
  bool is_closing() const;
  // Returns once the connection is closed; raises the error it ended with, if any.
  [[nodiscard]] Coro<void> wait_closed();
  // Waits until the write buffer is at or below its low-water mark (at once if it was
  // not over the high-water mark). ConnectionResetError if the connection is lost;
  // the reader's error if it has one.
  [[nodiscard]] Coro<void> drain();

  // "peername" and "sockname", as asyncio's get_extra_info; nullopt for other names.
  std::optional<Address> get_extra_info(std::string_view name) const;
  std::optional<Address> peername() const;
  std::optional<Address> sockname() const;
  Transport& transport() const { return *transport_; }

  // Internal: made by open_connection and the server's protocol.
  StreamWriter(std::shared_ptr<Transport> transport,
               std::shared_ptr<internal::StreamProtocol> protocol,
               std::shared_ptr<internal::StreamReaderState> reader)
      : transport_(std::move(transport)),
        protocol_(std::move(protocol)),
        reader_(std::move(reader)) {}

 private:
  std::shared_ptr<Transport> transport_;
  std::shared_ptr<internal::StreamProtocol> protocol_;
  std::shared_ptr<internal::StreamReaderState> reader_;
};

struct StreamOptions {
  std::size_t limit = StreamReader::kDefaultLimit;  // the reader's buffer limit
  std::optional<Address> local;                     // bind the connecting socket here
};

struct ServerOptions {
  std::size_t limit = StreamReader::kDefaultLimit;  // each connection's reader limit
  int backlog = 100;
  bool reuse_address = true;
  bool reuse_port = false;
};

// A listening server (asyncio.Server). A handle: copies refer to the same server.
class Server {
 public:
  // Stops listening (accepted connections stay open; see close_clients). serve_forever
  // ends with CancelledError, as in asyncio.
  void close();
  // Returns once the server is closed and all its connections are gone.
  [[nodiscard]] Coro<void> wait_closed();
  // Waits until the server is closed (or the awaiting task cancelled, which closes it
  // and waits for its connections). RuntimeError if already closed or already served.
  [[nodiscard]] Coro<void> serve_forever();
  bool is_serving() const;
  // Closes every accepted connection (flushing), or aborts them (dropping buffers).
  void close_clients();
  void abort_clients();
  // Where it listens (port filled in when 0 was asked); empty once closed.
  std::vector<Address> sockets() const;
  // The port of the first socket: handy with port 0. RuntimeError once closed.
  std::uint16_t port() const;
  // Accepted connections still open.
  std::size_t active_connections() const;

  // Internal: made by start_server / create_server.
  explicit Server(std::shared_ptr<internal::ServerState> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<internal::ServerState> state_;
};

using ClientConnected = std::function<Coro<void>(StreamReader, StreamWriter)>;

// Connects to host:port (on real sockets: resolved, each address tried in turn).
[[nodiscard]] Coro<std::pair<StreamReader, StreamWriter>> open_connection(
    std::string host, std::uint16_t port, StreamOptions options = {});
// Listens on host:port; each connection runs handler(reader, writer) in a task of its own.
[[nodiscard]] Coro<Server> start_server(ClientConnected handler, std::string host,
                                        std::uint16_t port, ServerOptions options = {});
// The same over unix domain sockets (a path; under simulation, just a name).
[[nodiscard]] Coro<std::pair<StreamReader, StreamWriter>> open_unix_connection(
    std::string path, StreamOptions options = {});
[[nodiscard]] Coro<Server> start_unix_server(ClientConnected handler, std::string path,
                                             ServerOptions options = {});

// The protocol level (asyncio's loop.create_connection / loop.create_server).
[[nodiscard]] Coro<std::shared_ptr<Transport>> create_connection(std::shared_ptr<Protocol> protocol,
                                                                 std::string host,
                                                                 std::uint16_t port,
                                                                 ConnectOptions options = {});
[[nodiscard]] Coro<Server> create_server(ProtocolFactory factory, std::string host,
                                         std::uint16_t port, ServerOptions options = {});

}  // namespace lockstep
