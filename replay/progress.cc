#include "replay/progress.h"

#include <string>

namespace lockstep {

namespace {
// A terminal line is rewritten at most this often: faster only costs time.
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
}  // namespace

ProgressLine::ProgressLine(std::ostream& out, bool terminal, Clock::duration interval,
                           Clock::duration quiet_for)
    : out_(out),
      terminal_(terminal),
      interval_(terminal ? std::chrono::duration_cast<Clock::duration>(kTerminalInterval)
                         : interval),
      next_(Clock::now() + quiet_for) {}

bool ProgressLine::due() const noexcept { return Clock::now() >= next_; }

void ProgressLine::update(std::string_view text) {
  const auto now = Clock::now();
  if (now < next_) return;
  next_ = now + interval_;
  if (!terminal_) {
    out_ << text << '\n' << std::flush;
    return;
  }
  // Pad over what is left of a longer previous line.
  out_ << '\r' << text;
  if (text.size() < open_width_) out_ << std::string(open_width_ - text.size(), ' ');
  out_ << std::flush;
  open_width_ = text.size();
}

void ProgressLine::finish() {
  if (terminal_ && open_width_ > 0) {
    out_ << '\r' << std::string(open_width_, ' ') << '\r' << std::flush;
    open_width_ = 0;
  }
}

}  // namespace lockstep
