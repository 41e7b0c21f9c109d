// A stand-in for a third-party library that reads the real clock (a rate limiter, a
// cache with a TTL): it knows nothing of lockstep.
#pragma once

#include <cstdint>

namespace vendor {

// Milliseconds on std::chrono::steady_clock.
std::int64_t vendor_steady_millis();

}  // namespace vendor
