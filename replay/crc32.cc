#include "replay/crc32.h"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace lockstep::internal {

#if defined(__x86_64__)

namespace {

// Compiled for SSE4.2 alone; called only where the CPU says it has it.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc, const char* data,
                                                             std::size_t n) noexcept {
  std::uint64_t c = ~crc;
  for (; n >= 8; n -= 8, data += 8) {
    std::uint64_t word;
    std::memcpy(&word, data, 8);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; --n) c32 = _mm_crc32_u8(c32, static_cast<unsigned char>(*data++));
  return ~c32;
}

}  // namespace

bool crc32c_has_hardware() noexcept { return __builtin_cpu_supports("sse4.2"); }

std::uint32_t crc32c_hardware(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  return crc32c_has_hardware() ? crc32c_sse42(crc, data, n) : crc32c_portable(crc, data, n);
}

#else

bool crc32c_has_hardware() noexcept { return false; }

std::uint32_t crc32c_hardware(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  return crc32c_portable(crc, data, n);
}

#endif

}  // namespace lockstep::internal
