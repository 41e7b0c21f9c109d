// A progress line for long runs (seed sweeps, shrinking): rewritten in place on a
// terminal (cut to its width, so it never wraps), else printed at most once per interval,
// since CI logs keep every line.
//
//   lockstep::ProgressLine progress(std::cout, isatty(1));
//   for (...) if (progress.due()) progress.update("340/1000 seeds, 0 failed");
//   progress.finish();
#pragma once

#include <chrono>
#include <ostream>
#include <string_view>

namespace lockstep {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  // Nothing is shown before `quiet_for` has passed: short runs print no progress.
  ProgressLine(std::ostream& out, bool terminal, Clock::duration interval = std::chrono::seconds(2),
               Clock::duration quiet_for = std::chrono::seconds(1));
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { finish(); }

  // Whether update() would print now (so callers build the text only then).
  bool due() const noexcept;
  // Shows `text` if due.
  void update(std::string_view text);
  // Ends a line left open on a terminal. Idempotent.
  void finish();

 private:
  std::ostream& out_;
  bool terminal_;
  Clock::duration interval_;
  Clock::time_point next_;      // the earliest time of the next line
  std::size_t width_;           // terminal: the longest line that does not wrap
  std::size_t open_width_ = 0;  // terminal: the width of the line being rewritten
};

}  // namespace lockstep
