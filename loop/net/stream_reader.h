// The state behind a StreamReader handle (internal): asyncio's StreamReader fields.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/waiters.h"
#include "loop/net/address.h"
#include "loop/net/transport.h"

namespace lockstep::internal {

class StreamReaderState final : public Diagnosable {
 public:
  explicit StreamReaderState(std::size_t limit);

  std::size_t size() const noexcept { return buffer_.size() - head_; }
  std::string_view view() const noexcept { return std::string_view(buffer_).substr(head_); }
  // Removes and returns the first n buffered bytes (n <= size()).
  std::string take(std::size_t n);
  void clear() noexcept;

  void feed_data(std::string_view data);
  void feed_eof();
  void set_exception(std::exception_ptr error);
  void set_transport(const std::shared_ptr<Transport>& transport);
  // Resumes a transport paused for a full buffer once it has drained to the limit.
  void maybe_resume_transport();
  // Waits until data or EOF arrives (asyncio's _wait_for_data). `what` names the call
  // for errors and deadlock reports ("StreamReader.readline()").
  Coro<void> wait_for_data(const char* what);

  bool eof() const noexcept { return eof_; }
  const std::exception_ptr& exception() const noexcept { return exception_; }
  std::size_t limit() const noexcept { return limit_; }

  std::string diagnosis() const override;

 private:
  void wakeup_waiter();

  std::string buffer_;  // received bytes from head_ on
  std::size_t head_ = 0;
  std::size_t limit_;
  bool eof_ = false;
  bool paused_ = false;  // the transport's reading is paused for a full buffer
  std::exception_ptr exception_;
  std::optional<Future<void>> waiter_;
  std::weak_ptr<Transport> transport_;
  std::optional<Address> peer_;  // for diagnostics
};

}  // namespace lockstep::internal
