#include "loop/net/transport.h"

#include <stdexcept>

#include "loop/loop.h"
#include "loop/net/errors.h"

namespace lockstep::internal {

void WriteFlowControl::set_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
  // asyncio's _set_write_buffer_limits: high defaults to 64 KiB (or 4 * low), low to
  // high / 4.
  std::size_t h = high ? *high : (low ? 4 * *low : 64 * 1024);
  std::size_t l = low ? *low : h / 4;
  if (h < l) {
    throw std::invalid_argument("lockstep: write buffer limits: high (" + std::to_string(h) +
                                ") must be >= low (" + std::to_string(l) + ")");
  }
  limits_ = {h, l};
}

void WriteFlowControl::report(Loop& loop, const char* what) {
  report_to_loop(loop, std::string("lockstep: ") + what, std::current_exception());
}

bool is_os_error(const std::exception_ptr& error) noexcept {
  try {
    std::rethrow_exception(error);
  } catch (const OSError&) {
    return true;
  } catch (...) {
    return false;
  }
}

void report_to_loop(Loop& loop, std::string message, std::exception_ptr error) {
  ExceptionContext context;
  context.message = std::move(message);
  context.exception = std::move(error);
  loop.call_exception_handler(context);
}

}  // namespace lockstep::internal
