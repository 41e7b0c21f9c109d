#include "loop/driver.h"

namespace lockstep {

bool VirtualDriver::wait(std::optional<TimePoint> deadline, bool external_expected) {
  if (woken_.load(std::memory_order_acquire)) [[unlikely]] {
    woken_.store(false, std::memory_order_relaxed);
    return true;  // something was posted: the loop drains it before time moves
  }
  if (deadline) {
    // Another thread has no place in virtual time: the clock does not wait for it.
    if (*deadline > now_) now_ = *deadline;
    return true;
  }
  if (!external_expected) return false;
  std::unique_lock lock(mutex_);
  woken_cv_.wait(lock, [this] { return woken_.load(std::memory_order_acquire); });
  woken_.store(false, std::memory_order_relaxed);
  return true;
}

void VirtualDriver::wake() noexcept {
  {
    // Set under the lock, so a wait() between its check and its sleep cannot miss it.
    std::lock_guard lock(mutex_);
    woken_.store(true, std::memory_order_release);
  }
  woken_cv_.notify_one();
}

bool RealTimeDriver::wait(std::optional<TimePoint> deadline, bool external_expected) {
  std::unique_lock lock(mutex_);
  if (!deadline && !external_expected && !woken_) return false;
  auto posted = [this] { return woken_; };
  if (deadline)
    woken_cv_.wait_until(lock, epoch_ + deadline->time_since_epoch(), posted);
  else
    woken_cv_.wait(lock, posted);
  woken_ = false;
  return true;
}

void RealTimeDriver::wake() noexcept {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  woken_cv_.notify_one();
}

}  // namespace lockstep
