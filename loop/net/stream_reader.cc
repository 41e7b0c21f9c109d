// StreamReader: a port of asyncio's StreamReader (streams.py, CPython 3.11).
#include "loop/net/stream_reader.h"

#include <stdexcept>

#include "loop/errors.h"
#include "loop/loop.h"
#include "loop/net/errors.h"
#include "loop/net/streams.h"

namespace lockstep {

namespace internal {

StreamReaderState::StreamReaderState(std::size_t limit) : limit_(limit) {
  if (limit == 0) throw std::invalid_argument("lockstep: a StreamReader's limit must be positive");
}

std::string StreamReaderState::take(std::size_t n) {
  std::string out(buffer_.data() + head_, n);
  head_ += n;
  if (head_ == buffer_.size()) {
    buffer_.clear();
    head_ = 0;
  } else if (head_ > buffer_.size() / 2) {
    buffer_.erase(0, head_);  // amortised: the copy is at most the size of what was taken
    head_ = 0;
  }
  return out;
}

void StreamReaderState::clear() noexcept {
  buffer_.clear();
  head_ = 0;
}

void StreamReaderState::wakeup_waiter() {
  if (waiter_ && !waiter_->done()) waiter_->set_result();
}

void StreamReaderState::feed_data(std::string_view data) {
  if (eof_) throw RuntimeError("lockstep: feed_data after feed_eof");
  if (data.empty()) return;
  buffer_.append(data);
  wakeup_waiter();
  // Stop reading from the peer while the buffer is twice the limit: the kernel's (or the
  // simulated network's) window then fills, and the sender's drain() waits.
  if (!paused_ && size() > 2 * limit_) {
    if (auto t = transport_.lock()) {
      t->pause_reading();
      paused_ = true;
    }
  }
}

void StreamReaderState::feed_eof() {
  eof_ = true;
  wakeup_waiter();
}

void StreamReaderState::set_exception(std::exception_ptr error) {
  exception_ = error;
  if (waiter_ && !waiter_->done()) waiter_->set_exception(error);
}

void StreamReaderState::set_transport(const std::shared_ptr<Transport>& transport) {
  if (!transport_.expired()) throw RuntimeError("lockstep: Transport already set");
  transport_ = transport;
  peer_ = transport->peername();
}

void StreamReaderState::maybe_resume_transport() {
  if (paused_ && size() <= limit_) {
    paused_ = false;
    if (auto t = transport_.lock()) t->resume_reading();
  }
}

Coro<void> StreamReaderState::wait_for_data(const char* what) {
  if (waiter_) {
    throw RuntimeError(std::string("lockstep: ") + what +
                       " called while another task is already waiting for incoming data");
  }
  // A reader paused with a full buffer and nothing to read in it would wait forever.
  if (paused_) {
    paused_ = false;
    if (auto t = transport_.lock()) t->resume_reading();
  }
  Loop* loop = Loop::current();
  if (!loop) throw RuntimeError(std::string("lockstep: ") + what + " needs a running loop");
  Future<void> waiter = make_waiter(*loop, what, this);
  waiter_ = waiter;
  struct Reset {
    std::optional<Future<void>>& w;
    ~Reset() { w.reset(); }
  } reset{waiter_};
  co_await waiter;
}

std::string StreamReaderState::diagnosis() const {
  std::string text = "the StreamReader";
  if (peer_) text += " of the connection to " + peer_->to_string();
  text += " (" + std::to_string(size()) + " bytes buffered";
  if (eof_) text += ", EOF received";
  return text + ")";
}

namespace {

using State = std::shared_ptr<StreamReaderState>;

void check_error(const State& s) {
  if (s->exception()) std::rethrow_exception(s->exception());
}

Coro<std::string> read_impl(State s, std::ptrdiff_t n) {
  check_error(s);
  if (n == 0) co_return std::string();
  if (n < 0) {
    // Everything until EOF, read in chunks of `limit` (as asyncio, so a paused transport
    // is resumed as the buffer drains).
    std::string all;
    for (;;) {
      std::string chunk = co_await read_impl(s, static_cast<std::ptrdiff_t>(s->limit()));
      if (chunk.empty()) break;
      all += chunk;
    }
    co_return all;
  }
  if (s->size() == 0 && !s->eof()) co_await s->wait_for_data("StreamReader.read()");
  check_error(s);  // the connection may have failed while we waited
  std::string data = s->take(std::min<std::size_t>(static_cast<std::size_t>(n), s->size()));
  s->maybe_resume_transport();
  co_return data;
}

Coro<std::string> readexactly_impl(State s, std::size_t n) {
  check_error(s);
  if (n == 0) co_return std::string();
  while (s->size() < n) {
    if (s->eof()) {
      std::string partial = s->take(s->size());
      throw IncompleteReadError(std::move(partial), n);
    }
    co_await s->wait_for_data("StreamReader.readexactly()");
    check_error(s);
  }
  std::string data = s->take(n);
  s->maybe_resume_transport();
  co_return data;
}

Coro<std::string> readuntil_impl(State s, std::string separator, const char* what) {
  const std::size_t seplen = separator.size();
  if (seplen == 0)
    throw std::invalid_argument("lockstep: Separator should be at least one-byte string");
  check_error(s);
  // asyncio's search: only bytes not searched yet are scanned on each wakeup.
  std::size_t offset = 0;
  std::size_t isep = std::string_view::npos;
  for (;;) {
    const std::size_t buflen = s->size();
    if (buflen >= offset + seplen) {
      isep = s->view().find(separator, offset);
      if (isep != std::string_view::npos) break;
      offset = buflen + 1 - seplen;
      if (offset > s->limit())
        throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
    }
    if (s->eof()) {
      std::string partial = s->take(s->size());
      throw IncompleteReadError(std::move(partial), std::nullopt);
    }
    co_await s->wait_for_data(what);
    check_error(s);
  }
  if (isep > s->limit())
    throw LimitOverrunError("Separator is found, but chunk is longer than limit", isep);
  std::string chunk = s->take(isep + seplen);
  s->maybe_resume_transport();
  co_return chunk;
}

Coro<std::string> readline_impl(State s) {
  std::size_t consumed = 0;
  std::string message;
  try {
    co_return co_await readuntil_impl(s, "\n", "StreamReader.readline()");
  } catch (IncompleteReadError& e) {
    co_return e.partial();
  } catch (LimitOverrunError& e) {
    consumed = e.consumed();
    message = e.what();
  }
  // The line is too long: drop it (or, if the separator is in the buffer, up to it), as
  // asyncio does, so the next readline starts on a fresh line.
  if (s->view().substr(std::min(consumed, s->size())).starts_with('\n'))
    s->take(consumed + 1);
  else
    s->clear();
  s->maybe_resume_transport();
  throw std::length_error(message);
}

}  // namespace
}  // namespace internal

StreamReader::StreamReader(std::size_t limit)
    : state_(std::make_shared<internal::StreamReaderState>(limit)) {}

Coro<std::string> StreamReader::read(std::ptrdiff_t n) { return internal::read_impl(state_, n); }
Coro<std::string> StreamReader::readexactly(std::size_t n) {
  return internal::readexactly_impl(state_, n);
}
Coro<std::string> StreamReader::readline() { return internal::readline_impl(state_); }
Coro<std::string> StreamReader::readuntil(std::string separator) {
  return internal::readuntil_impl(state_, std::move(separator), "StreamReader.readuntil()");
}
bool StreamReader::at_eof() const { return state_->eof() && state_->size() == 0; }
std::exception_ptr StreamReader::exception() const { return state_->exception(); }
std::size_t StreamReader::limit() const { return state_->limit(); }
std::size_t StreamReader::buffered() const { return state_->size(); }
void StreamReader::feed_data(std::string_view data) { state_->feed_data(data); }
void StreamReader::feed_eof() { state_->feed_eof(); }
void StreamReader::set_exception(std::exception_ptr error) { state_->set_exception(error); }

}  // namespace lockstep
