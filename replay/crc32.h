// The trace's checksums: zlib's CRC-32 (the header's, and format 3's per record),
// computed inline for short records, and CRC-32C (Castagnoli; format 4's per block) with
// the SSE4.2 crc32 instruction where the CPU has it.
//
//   std::uint32_t c = lockstep::trace_crc32(0, data, n);   // == zlib's crc32(0, data, n)
//   c = lockstep::trace_crc32(c, more, m);                 // continues, as zlib's does
//   std::uint32_t b = lockstep::trace_crc32c(0, data, n);  // CRC-32C ("123456789": e3069283)
//
// zlib's crc32() is fast on long buffers but costs a call and a setup per record; a
// recorded run checksums one ~10-byte record per decision and per event, and there it
// took a quarter of the recording's time. Slicing-by-8 over tables built at compile time
// gives the same values (the tests compare it with zlib on every length up to 300).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lockstep {

namespace internal {

// make_crc_tables(poly)[k][b]: the CRC of byte b followed by k zero bytes (reflected
// polynomial `poly`: 0xEDB88320 zlib's CRC-32, 0x82F63B78 CRC-32C).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables(std::uint32_t poly) {
  CrcTables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = c & 1 ? (c >> 1) ^ poly : c >> 1;
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  return t;
}
inline constexpr CrcTables kCrcTables = make_crc_tables(0xEDB88320u);
inline constexpr CrcTables kCrc32cTables = make_crc_tables(0x82F63B78u);

inline std::uint32_t load_le32(const unsigned char* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// Slicing-by-8 over `t`: a reflected CRC of `data`, continuing from `crc`.
inline std::uint32_t crc_slicing8(const CrcTables& t, std::uint32_t crc, const char* data,
                                  std::size_t n) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t one = load_le32(p) ^ c;
    const std::uint32_t two = load_le32(p + 4);
    c = t[7][one & 0xff] ^ t[6][(one >> 8) & 0xff] ^ t[5][(one >> 16) & 0xff] ^ t[4][one >> 24] ^
        t[3][two & 0xff] ^ t[2][(two >> 8) & 0xff] ^ t[1][(two >> 16) & 0xff] ^ t[0][two >> 24];
  }
  if (n >= 4) {  // four bytes in one step: the bytewise loop below is a serial chain
    const std::uint32_t one = load_le32(p) ^ c;
    c = t[3][one & 0xff] ^ t[2][(one >> 8) & 0xff] ^ t[1][(one >> 16) & 0xff] ^ t[0][one >> 24];
    n -= 4;
    p += 4;
  }
  for (; n > 0; --n) c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

// CRC-32C without special instructions (any CPU; what trace_crc32c falls back to).
inline std::uint32_t crc32c_portable(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  return crc_slicing8(kCrc32cTables, crc, data, n);
}

// CRC-32C with SSE4.2's crc32 instruction, or the portable one where the CPU lacks it
// (or is not x86-64). Defined in crc32.cc.
std::uint32_t crc32c_hardware(std::uint32_t crc, const char* data, std::size_t n) noexcept;
bool crc32c_has_hardware() noexcept;

}  // namespace internal

// zlib's crc32(crc, data, n).
inline std::uint32_t trace_crc32(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  return internal::crc_slicing8(internal::kCrcTables, crc, data, n);
}

// CRC-32C of `data`, continuing from `crc` (0 to start), the same values on every CPU.
inline std::uint32_t trace_crc32c(std::uint32_t crc, const char* data, std::size_t n) noexcept {
  static const bool hardware = internal::crc32c_has_hardware();
  return hardware ? internal::crc32c_hardware(crc, data, n)
                  : internal::crc32c_portable(crc, data, n);
}

}  // namespace lockstep
