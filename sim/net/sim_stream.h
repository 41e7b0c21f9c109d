// One end of a simulated stream connection (internal; see sim_network.h). The state
// machine of loop/net/socket_transport.cc (asyncio's _SelectorSocketTransport) over the
// network's pipes instead of a socket: the same callbacks in the same order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "loop/future.h"
#include "loop/net/transport.h"
#include "sim/net/net_state.h"

namespace lockstep::internal {

class SimStream final : public Transport,
                        public NetResource,
                        public std::enable_shared_from_this<SimStream> {
 public:
  SimStream(std::shared_ptr<NetState> net, Address local, Address peer, std::string local_key);
  ~SimStream() override;

  // Registers with the network (it holds the stream while the socket is open); a client
  // also holds its ephemeral port until the socket closes.
  void open(bool holds_port);
  // Links the pipes: `out` carries what this end sends, `in` what it receives.
  void set_pipes(std::shared_ptr<Pipe> out, std::shared_ptr<Pipe> in) {
    out_ = std::move(out);
    in_ = std::move(in);
  }
  const std::shared_ptr<Pipe>& out() const noexcept { return out_; }
  // The client learns its way back from the SYN-ACK that came on it.
  void set_in(std::shared_ptr<Pipe> in) { in_ = std::move(in); }
  // The server's end, made by accepting a SYN: the handshake is done on its side.
  void set_established() noexcept { established_ = true; }
  // The client's connect: resolved by the SYN-ACK, failed by a reset.
  void expect_connect(Future<void> connected) { connecting_ = std::move(connected); }
  // The connect was cancelled or failed: the socket goes, with no callbacks.
  void abandon() noexcept;
  // Binds `protocol`, calls connection_made, starts reading.
  void start(std::shared_ptr<Protocol> protocol);
  // A segment arrived (from the network's delivery callback).
  void receive(Segment segment);
  // True once the socket is closed: what arrives now earns a reset.
  bool socket_closed() const noexcept { return socket_closed_; }
  // The peer read some of what we sent: send more (in a later callback, like an ACK).
  void window_opened();

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

  void drop() noexcept override;
  void crash() noexcept override;
  const std::string& local_key() const noexcept { return local_key_; }

 private:
  void read_ready();
  void schedule_read();
  void write_ready();
  void on_eof();
  // Sends what the window allows of `data` now; returns how much.
  std::size_t send_now(std::string_view data);
  void send_control(Segment::Kind kind);
  void fatal_error(std::exception_ptr error, const char* message);
  void force_close(std::exception_ptr error);
  void call_connection_lost(std::exception_ptr error);
  // The socket goes: FIN (or a reset if data was left unread, or after abort), port freed.
  void close_socket() noexcept;
  void release_port() noexcept;
  Loop& loop() const noexcept { return net_->loop; }

  std::shared_ptr<NetState> net_;
  std::uint64_t id_ = 0;  // in net_->open
  Address local_, peer_;
  std::string local_key_;  // NetState::key(local_): the port it holds
  std::shared_ptr<Protocol> protocol_;
  std::shared_ptr<Pipe> out_, in_;
  std::optional<Future<void>> connecting_;
  std::string buffer_;  // unsent bytes from head_ on
  std::size_t head_ = 0;
  std::string received_;  // arrived, not yet read (the kernel's receive queue)
  WriteFlowControl flow_;
  int conn_lost_ = 0;  // > 0: connection_lost is scheduled or done; writes dropped
  bool started_ = false;
  bool established_ = false;  // the handshake is done: closing sends FIN or RST
  bool closing_ = false;
  bool eof_ = false;  // write_eof() called
  bool fin_sent_ = false;
  bool fin_received_ = false;  // the peer's FIN arrived (read it after received_)
  bool eof_seen_ = false;      // eof_received was called: reading is over
  bool reset_ = false;         // the peer reset the connection: the next I/O fails
  bool aborted_ = false;       // abort(): the socket goes with a reset
  bool paused_ = false;        // pause_reading()
  bool read_queued_ = false;   // a read_ready() callback is in the ready queue
  bool write_queued_ = false;  // a write_ready() callback is in the ready queue
  bool socket_closed_ = false;
  bool holds_port_ = false;  // a client's ephemeral port, freed with the socket
};

}  // namespace lockstep::internal
