// Protocols and helpers for the simulated network's tests: a protocol that records what
// happens to it, an echo server, and waiting for a condition in virtual time.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/lockstep.h"
#include "loop/net/errors.h"
#include "loop/net/network.h"
#include "loop/net/transport.h"

namespace lockstep::testing {

// Records every callback: "made", "data", "eof", "lost" / "lost: <error>", "pause",
// "resume"; keeps the bytes, the transport until lost, and the error it ended with.
struct Recorder : Protocol {
  std::shared_ptr<Transport> transport;
  std::optional<Address> peer;  // the transport's peername, kept after the loss
  std::string received;
  std::vector<std::string> log;
  std::vector<std::size_t> chunks;  // size of each data_received
  std::exception_ptr error;
  bool eof = false, lost = false, paused = false;
  bool keep_open_on_eof = false;           // eof_received's answer (true: half-close)
  bool pause_on_connect = false;           // a reader that does not read
  std::function<void(Recorder&)> on_made;  // after connection_made's bookkeeping

  void connection_made(std::shared_ptr<Transport> t) override {
    transport = t;
    peer = t->peername();
    log.push_back("made");
    if (pause_on_connect) t->pause_reading();
    if (on_made) on_made(*this);
  }
  void data_received(std::string_view d) override {
    received += d;
    chunks.push_back(d.size());
    if (log.empty() || log.back() != "data") log.push_back("data");
  }
  bool eof_received() override {
    eof = true;
    log.push_back("eof");
    return keep_open_on_eof;
  }
  void connection_lost(std::exception_ptr e) override {
    lost = true;
    error = e;
    log.push_back(e ? "lost: " + describe_exception(e) : "lost");
    transport.reset();
  }
  void pause_writing() override {
    paused = true;
    log.push_back("pause");
  }
  void resume_writing() override {
    paused = false;
    log.push_back("resume");
  }
};

// Writes back whatever it receives; closes on EOF.
struct Echo : Protocol {
  std::shared_ptr<Transport> t;
  void connection_made(std::shared_ptr<Transport> tr) override { t = tr; }
  void data_received(std::string_view d) override { t->write(d); }
  void connection_lost(std::exception_ptr) override { t.reset(); }
};

// Waits (in virtual time, polling every 10us) until `done()`; std::runtime_error naming
// `what` after `limit`.
inline Coro<void> until(std::function<bool()> done, std::string what = "condition",
                        Duration limit = std::chrono::seconds(10)) {
  const TimePoint deadline = now() + limit;
  while (!done()) {
    if (now() > deadline) throw std::runtime_error("timed out waiting for " + what);
    co_await sleep(std::chrono::microseconds(10));
  }
}

inline Address at(const char* text) { return Address::parse(text); }

// network().connect with no options. A plain function, so that no aggregate temporary
// (ConnectOptions{}, Address{...}) sits inside the caller's co_await expression: GCC 12
// destroys those twice (docs/pitfalls.md).
inline Coro<std::shared_ptr<Transport>> dial(Address where, std::shared_ptr<Protocol> p) {
  return network().connect(std::move(where), std::move(p), ConnectOptions{});
}
inline Coro<std::shared_ptr<Transport>> dial(const char* where, std::shared_ptr<Protocol> p) {
  return dial(Address::parse(where), std::move(p));
}

// Listens on `where` with a fresh `P` per connection.
template <class P>
Coro<std::shared_ptr<Listener>> serve(Address where,
                                      std::vector<std::shared_ptr<P>>* made = nullptr) {
  return network().listen(where,
                          [made]() -> std::shared_ptr<Protocol> {
                            auto p = std::make_shared<P>();
                            if (made) made->push_back(p);
                            return p;
                          },
                          {});
}

// Collects datagrams: (text, from).
struct DatagramRecorder : DatagramProtocol {
  std::shared_ptr<DatagramTransport> transport;
  std::vector<std::pair<std::string, Address>> got;
  std::vector<std::exception_ptr> errors;
  bool lost = false;
  bool echo = false;  // send each datagram back to where it came from
  void connection_made(std::shared_ptr<DatagramTransport> t) override { transport = t; }
  void datagram_received(std::string_view data, const Address& from) override {
    got.emplace_back(std::string(data), from);
    if (echo) transport->sendto(data, from);
  }
  void error_received(std::exception_ptr e) override { errors.push_back(e); }
  void connection_lost(std::exception_ptr) override {
    lost = true;
    transport.reset();
  }
};

}  // namespace lockstep::testing
