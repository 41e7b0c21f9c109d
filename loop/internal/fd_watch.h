// The loop's side of add_reader/add_writer: one callback per (fd, event), scheduled through
// the ready queue (call_soon) each time the driver reports the fd ready, as asyncio's
// selector loop appends the reader's Handle to _ready.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "loop/future.h"
#include "loop/handle.h"
#include "loop/io_reactor.h"

namespace lockstep {
class Loop;
}

namespace lockstep::internal {

class FdWatch final : public IoCallback {
 public:
  FdWatch(Loop& loop, std::function<void()> fn, std::uint64_t id)
      : loop_(&loop), shared_(std::make_shared<Shared>(Shared{std::move(fn), false})), id_(id) {}
  ~FdWatch() { cancel(); }

  // Schedules the callback, unless it is scheduled already and has not run yet.
  void on_ready() override;
  // A call scheduled and not yet run will not run.
  void cancel() noexcept {
    if (shared_->queued) queued_.cancel();
    shared_->queued = false;
  }
  std::uint64_t id() const noexcept { return id_; }

  // The future of the wait_readable/wait_writable this watch serves, if any: while it is
  // pending a second wait on the same (fd, event) is refused rather than left to hang.
  std::optional<Future<void>> wait;

 private:
  struct Shared {
    std::function<void()> fn;  // the user's callback; shared with the scheduled call
    bool queued;               // a call is in the ready queue
  };
  Loop* loop_;
  std::shared_ptr<Shared> shared_;
  Handle queued_;     // the scheduled call, to cancel on removal
  std::uint64_t id_;  // tells this registration from a later one on the same (fd, event)
};

// The loop's table of watches, by (fd, event).
struct FdWatches {
  std::map<std::pair<int, IoEvent>, std::unique_ptr<FdWatch>> by_fd;
  std::uint64_t last_id = 0;
};

}  // namespace lockstep::internal
