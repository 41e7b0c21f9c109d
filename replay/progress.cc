#include "replay/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lockstep {

namespace {
// A terminal line is rewritten at most this often: faster only costs time.
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);

// The terminal's width, so that a rewritten line never wraps (a wrapped line leaves its
// first part behind at every update).
std::size_t terminal_columns() {
  // COLUMNS first, as Python's shutil.get_terminal_size: a user's (or a test's) choice.
  if (const char* columns = std::getenv("COLUMNS")) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  for (const int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  }
  return 80;
}
}  // namespace

ProgressLine::ProgressLine(std::ostream& out, bool terminal, Clock::duration interval,
                           Clock::duration quiet_for)
    : out_(out),
      terminal_(terminal),
      interval_(terminal ? std::chrono::duration_cast<Clock::duration>(kTerminalInterval)
                         : interval),
      next_(Clock::now() + quiet_for),
      width_(terminal ? terminal_columns() - 1 : 0) {}

bool ProgressLine::due() const noexcept { return Clock::now() >= next_; }

void ProgressLine::update(std::string_view text) {
  const auto now = Clock::now();
  if (now < next_) return;
  next_ = now + interval_;
  if (!terminal_) {
    out_ << text << '\n' << std::flush;
    return;
  }
  if (text.size() > width_) text = text.substr(0, width_);
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
