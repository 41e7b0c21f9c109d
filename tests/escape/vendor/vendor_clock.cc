#include "tests/escape/vendor/vendor_clock.h"

#include <chrono>

namespace vendor {

std::int64_t vendor_steady_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace vendor
