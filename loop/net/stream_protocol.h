// The protocol between a transport and a StreamReader/StreamWriter pair (internal):
// asyncio's StreamReaderProtocol with its FlowControlMixin.
#pragma once

#include <deque>
#include <exception>
#include <memory>
#include <optional>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/waiters.h"
#include "loop/net/stream_reader.h"
#include "loop/net/streams.h"
#include "loop/net/transport.h"
#include "loop/task.h"

namespace lockstep::internal {

class StreamProtocol final : public Protocol,
                             public Diagnosable,
                             public std::enable_shared_from_this<StreamProtocol> {
 public:
  // `handler`: a server's per-connection coroutine (started on connection_made), or
  // empty for a client connection.
  StreamProtocol(std::shared_ptr<StreamReaderState> reader, ClientConnected handler = {});

  void connection_made(std::shared_ptr<Transport> transport) override;
  void data_received(std::string_view data) override;
  bool eof_received() override;
  void connection_lost(std::exception_ptr error) override;
  void pause_writing() override;
  void resume_writing() override;

  // StreamWriter.drain()'s wait: while paused, until resumed or lost.
  Coro<void> drain_helper();
  // StreamWriter.wait_closed().
  Coro<void> wait_closed();

  std::string diagnosis() const override;

 private:
  std::shared_ptr<StreamReaderState> reader_;
  std::shared_ptr<Transport> transport_;  // until the connection is lost
  ClientConnected handler_;
  std::optional<Address> peer_;
  bool paused_ = false;  // the transport's write buffer is over its high-water mark
  bool lost_ = false;
  Waiters drain_waiters_;
  bool closed_ = false;
  std::exception_ptr closed_error_;
  Waiters close_waiters_;
};

}  // namespace lockstep::internal
