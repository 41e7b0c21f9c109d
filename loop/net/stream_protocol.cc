#include "loop/net/stream_protocol.h"

#include <cerrno>

#include "loop/loop.h"
#include "loop/net/errors.h"

namespace lockstep::internal {

StreamProtocol::StreamProtocol(std::shared_ptr<StreamReaderState> reader, ClientConnected handler)
    : reader_(std::move(reader)), handler_(std::move(handler)) {}

void StreamProtocol::connection_made(std::shared_ptr<Transport> transport) {
  transport_ = transport;
  peer_ = transport->peername();
  reader_->set_transport(transport);
  if (!handler_) return;
  // A server connection: the handler runs in a task of its own, as asyncio's
  // client_connected_cb coroutine does.
  Loop* loop = Loop::current();
  StreamWriter writer(transport, shared_from_this(), reader_);
  Task<void> task = loop->create_task(handler_(StreamReader(reader_), std::move(writer)),
                                      "handler " + (peer_ ? peer_->to_string() : std::string("?")));
  handler_ = nullptr;
  // Python 3.12: a handler that fails is reported and its connection closed, so the
  // peer is not left waiting on a connection nobody serves.
  std::weak_ptr<Transport> weak = transport;
  task.add_done_callback([weak, loop](Future<void>& t) {
    if (t.cancelled()) return;
    if (std::exception_ptr error = t.exception()) {
      report_to_loop(*loop, "Unhandled exception in client_connected_cb", error);
      if (auto tr = weak.lock()) tr->close();
    }
  });
}

void StreamProtocol::data_received(std::string_view data) { reader_->feed_data(data); }

bool StreamProtocol::eof_received() {
  reader_->feed_eof();
  return true;  // keep the write side open: a half-close
}

void StreamProtocol::connection_lost(std::exception_ptr error) {
  if (error)
    reader_->set_exception(error);
  else
    reader_->feed_eof();
  closed_ = true;
  closed_error_ = error;
  for (Future<void>& w : close_waiters_) {
    if (w.done()) continue;
    if (error)
      w.set_exception(error);
    else
      w.set_result();
  }
  close_waiters_.clear();
  lost_ = true;
  if (paused_) {
    for (Future<void>& w : drain_waiters_) {
      if (w.done()) continue;
      if (error)
        w.set_exception(error);
      else
        w.set_result();
    }
  }
  transport_.reset();  // breaks the transport <-> protocol cycle
}

void StreamProtocol::pause_writing() { paused_ = true; }

void StreamProtocol::resume_writing() {
  paused_ = false;
  for (Future<void>& w : drain_waiters_)
    if (!w.done()) w.set_result();
}

Coro<void> StreamProtocol::drain_helper() {
  if (lost_) throw ConnectionResetError(ECONNRESET, "Connection lost");
  if (!paused_) co_return;
  auto self = shared_from_this();
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError("lockstep: StreamWriter.drain() needs a running loop");
  Future<void> waiter = make_waiter(*loop, "StreamWriter.drain()", this);
  drain_waiters_.push_back(waiter);
  struct Remove {
    StreamProtocol& p;
    Future<void>& w;
    ~Remove() { remove_waiter(p.drain_waiters_, w); }
  } remove{*this, waiter};
  co_await waiter;
}

Coro<void> StreamProtocol::wait_closed() {
  auto self = shared_from_this();
  if (!closed_) {
    Loop* loop = Loop::current();
    if (!loop) throw RuntimeError("lockstep: StreamWriter.wait_closed() needs a running loop");
    Future<void> waiter = make_waiter(*loop, "StreamWriter.wait_closed()", this);
    close_waiters_.push_back(waiter);
    struct Remove {
      StreamProtocol& p;
      Future<void>& w;
      ~Remove() { remove_waiter(p.close_waiters_, w); }
    } remove{*this, waiter};
    co_await waiter;
    co_return;
  }
  if (closed_error_) std::rethrow_exception(closed_error_);
}

std::string StreamProtocol::diagnosis() const {
  std::string text = "the connection";
  if (peer_) text += " to " + peer_->to_string();
  if (lost_) return text + " (lost)";
  if (transport_) {
    text += " (" + std::to_string(transport_->write_buffer_size()) + " bytes unsent";
    if (transport_->is_closing()) text += ", closing";
    text += ")";
  }
  return text;
}

}  // namespace lockstep::internal
