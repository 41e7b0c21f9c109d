// Transports and protocols: asyncio's low-level network interface, which both backends
// (real sockets, the simulated network) implement and streams (loop/net/streams.h) are
// built on.
//
//   class Echo : public lockstep::Protocol {
//     std::shared_ptr<lockstep::Transport> t_;
//     void connection_made(std::shared_ptr<lockstep::Transport> t) override { t_ = t; }
//     void data_received(std::string_view data) override { t_->write(data); }
//     void connection_lost(std::exception_ptr) override { t_.reset(); }
//   };
//
// The contract is asyncio's (selector_events.py, _SelectorSocketTransport):
//   - All callbacks run on the loop's thread, from loop callbacks, never from inside a
//     transport method (connection_lost after close() comes in a later callback).
//   - connection_made first; then data_received* and at most one eof_received; then
//     exactly one connection_lost (error null for a clean close or EOF, else the
//     ConnectionResetError/OSError that ended it). pause_writing/resume_writing come in
//     pairs between connection_made and connection_lost.
//   - write() never blocks and never fails by exception once connected: what the peer
//     cannot take yet is buffered; a failed connection ends with connection_lost(error),
//     and writes after it are dropped (asyncio warns after 5 of them).
//   - Flow control: when the write buffer grows past the high-water mark the protocol is
//     paused (pause_writing) and resumed once it falls to the low-water mark or below.
//     Defaults, as asyncio: high 64 KiB, low a quarter of high.
//   - eof_received returning true keeps the transport open for writing (a half-close);
//     false closes it.
//
// A protocol usually keeps its transport (a shared_ptr) until connection_lost, and the
// transport keeps its protocol: the cycle is broken when the connection is lost.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loop/net/address.h"

namespace lockstep {

class Loop;
class Transport;
class DatagramTransport;

// asyncio.Protocol, for a byte stream.
class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual void connection_made(std::shared_ptr<Transport> /*transport*/) {}
  virtual void data_received(std::string_view /*data*/) {}
  // The peer shut down its write side. Return true to keep writing (a half-close).
  virtual bool eof_received() { return false; }
  // The connection is gone: error is null after a clean close (or EOF), else why.
  virtual void connection_lost(std::exception_ptr /*error*/) {}
  virtual void pause_writing() {}
  virtual void resume_writing() {}
};

struct WriteBufferLimits {
  std::size_t high = 64 * 1024;
  std::size_t low = 16 * 1024;
};

// asyncio's stream transport (ReadTransport + WriteTransport).
class Transport {
 public:
  virtual ~Transport() = default;

  // Queues `data` for sending; sends what the peer can take at once. Throws RuntimeError
  // after write_eof() ("Cannot call write() after write_eof()").
  virtual void write(std::string_view data) = 0;
  // Shuts down the write side once the buffer is flushed; reading goes on.
  virtual void write_eof() = 0;
  virtual bool can_write_eof() const noexcept = 0;
  // Flushes the buffer, then closes; connection_lost(null) follows in a later callback.
  // Stops reading at once. Idempotent.
  virtual void close() = 0;
  // Closes at once, dropping what is buffered; connection_lost(null) follows. The peer
  // sees a reset (its reads fail with ConnectionResetError), on both backends.
  virtual void abort() = 0;
  // True once close() or abort() was called or the connection was lost.
  virtual bool is_closing() const noexcept = 0;

  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  virtual bool is_reading() const noexcept = 0;

  virtual std::size_t write_buffer_size() const noexcept = 0;
  // asyncio's set_write_buffer_limits(high, low): nullopt high = 64 KiB, nullopt low =
  // high / 4. Throws std::invalid_argument unless high >= low. May pause or resume the
  // protocol at once.
  virtual void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                       std::optional<std::size_t> low = std::nullopt) = 0;
  virtual WriteBufferLimits write_buffer_limits() const noexcept = 0;

  // The peer's and our own address (asyncio's get_extra_info("peername"/"sockname")).
  virtual std::optional<Address> peername() const = 0;
  virtual std::optional<Address> sockname() const = 0;
  // The socket's fd, or -1 (the simulated network has none).
  virtual int fileno() const noexcept { return -1; }
};

// asyncio.DatagramProtocol.
class DatagramProtocol {
 public:
  virtual ~DatagramProtocol() = default;
  virtual void connection_made(std::shared_ptr<DatagramTransport> /*transport*/) {}
  virtual void datagram_received(std::string_view /*data*/, const Address& /*from*/) {}
  // A previous send or receive failed (e.g. ECONNREFUSED from an ICMP port unreachable
  // on a connected endpoint). The endpoint stays open.
  virtual void error_received(std::exception_ptr /*error*/) {}
  virtual void connection_lost(std::exception_ptr /*error*/) {}
  virtual void pause_writing() {}
  virtual void resume_writing() {}
};

// asyncio's DatagramTransport.
class DatagramTransport {
 public:
  virtual ~DatagramTransport() = default;
  // Sends one datagram to `to`, or to the connected peer if `to` is nullopt (then
  // std::invalid_argument if not connected; also if `to` differs from the connected peer).
  virtual void sendto(std::string_view data, std::optional<Address> to = std::nullopt) = 0;
  virtual void close() = 0;
  virtual void abort() = 0;
  virtual bool is_closing() const noexcept = 0;
  virtual std::size_t write_buffer_size() const noexcept = 0;
  virtual std::optional<Address> peername() const = 0;
  virtual std::optional<Address> sockname() const = 0;
  virtual int fileno() const noexcept { return -1; }
};

namespace internal {

// The most a stream transport hands to data_received at once (asyncio's max_size).
inline constexpr std::size_t kMaxReadSize = 256 * 1024;
// After this many writes to a lost connection asyncio starts warning; so do we, once.
inline constexpr int kWarnAfterLostWrites = 5;

// True iff `error` is an OSError: the peer's doing, which transports do not report to
// the loop's exception handler (asyncio logs those only in debug mode).
bool is_os_error(const std::exception_ptr& error) noexcept;

// Hands `error` to the loop's exception handler with `message` (what asyncio's
// transports do with errors that are bugs, not the peer's doing).
void report_to_loop(Loop& loop, std::string message, std::exception_ptr error = nullptr);

// The high/low water mark bookkeeping every stream transport shares (asyncio's
// _FlowControlMixin): call after_buffer_grew() after appending to the write buffer and
// after_buffer_shrank() after sending from it.
class WriteFlowControl {
 public:
  void set_limits(std::optional<std::size_t> high, std::optional<std::size_t> low);
  WriteBufferLimits limits() const noexcept { return limits_; }
  // Pauses `protocol` (a Protocol or DatagramProtocol) if `buffered` is past the
  // high-water mark and it is not paused.
  template <class P>
  void after_buffer_grew(std::size_t buffered, P& protocol, Loop& loop) {
    if (paused_ || buffered <= limits_.high) return;
    paused_ = true;
    try {
      protocol.pause_writing();
    } catch (...) {
      report(loop, "protocol.pause_writing() failed");
    }
  }
  // Resumes it if paused and `buffered` is at or below the low-water mark.
  template <class P>
  void after_buffer_shrank(std::size_t buffered, P& protocol, Loop& loop) {
    if (!paused_ || buffered > limits_.low) return;
    paused_ = false;
    try {
      protocol.resume_writing();
    } catch (...) {
      report(loop, "protocol.resume_writing() failed");
    }
  }
  bool protocol_paused() const noexcept { return paused_; }

 private:
  static void report(Loop& loop, const char* what);  // the current exception
  WriteBufferLimits limits_;
  bool paused_ = false;
};

}  // namespace internal
}  // namespace lockstep
