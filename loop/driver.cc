#include "loop/driver.h"

namespace lockstep {

bool VirtualDriver::wait(std::optional<TimePoint> deadline, bool external_expected) {
  if (posted_.consume()) [[unlikely]]
    return true;  // something was posted: the loop drains it before time moves
  if (deadline) {
    // Another thread has no place in virtual time: the clock does not wait for it.
    if (*deadline > now_) now_ = *deadline;
    return true;
  }
  if (!external_expected) return false;
  posted_.wait();
  return true;
}

}  // namespace lockstep
