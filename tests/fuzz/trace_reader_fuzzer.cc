// libFuzzer target: the trace reader and everything the CLI does with what it reads.
// Any input must give a Trace or a one-line TraceError: never a crash, a hang, a leak or
// undefined behaviour (the fuzz config adds ASan and UBSan). Each input is read as it is,
// then salvaging, then with its checksums made to hold (format 4's per block, format 3's
// per record): a mutated record would almost never pass its checksum, and the fuzzer
// would stop at the framing instead of reaching the record decoders behind it.
//
//   ./bazelw build --config=fuzz //tests/fuzz:trace_reader_fuzzer
//   tests/fuzz/run_trace_reader_fuzzer.sh [libFuzzer flags]     # seeds a corpus, runs
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "replay/chrome_export.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"

namespace {

// read_trace takes a path: the input goes through one private file per process.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/lockstep-fuzz-" + std::to_string(getpid()) +
           ".trace";
  }();
  return path;
}

// Reads the varint at bytes[p...]; false if it does not end inside bytes.
bool varint_at(const std::string& bytes, std::size_t& p, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < bytes.size() && shift < 64; shift += 7) {
    const auto b = static_cast<unsigned char>(bytes[p++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

void put_crc(std::string& bytes, std::size_t from, std::size_t to, bool block = false) {
  const std::string_view covered = std::string_view(bytes).substr(from, to - from);
  const std::uint32_t crc =
      block ? lockstep::block_checksum(covered) : lockstep::trace_checksum(covered);
  for (int i = 0; i < 4; ++i) bytes[to + i] = static_cast<char>(crc >> (8 * i));
}

// `bytes` with every checksum recomputed, up to the first frame that does not fit: after
// the magic, the header (varint length, bytes, CRC), then format 4's blocks (marker,
// 4-byte length, records, CRC) or, if the first byte after the header is no block marker,
// format 3's records (varint length, bytes, CRC).
std::string with_checksums_fixed(std::string bytes) {
  std::size_t at = 16;
  std::uint64_t length = 0;
  std::size_t p = at;
  if (!varint_at(bytes, p, length) || length > bytes.size() || bytes.size() - p < length + 4)
    return bytes;
  put_crc(bytes, at, p + static_cast<std::size_t>(length));
  at = p + static_cast<std::size_t>(length) + 4;
  const bool blocks = at < bytes.size() && static_cast<unsigned char>(bytes[at]) == 0xb4;
  while (at < bytes.size()) {
    p = at;
    if (blocks) {
      if (bytes.size() - at < 5) break;
      length = 0;
      for (int i = 0; i < 4; ++i)
        length |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + 1 + i]))
                  << (8 * i);
      p = at + 5;
    } else if (!varint_at(bytes, p, length)) {
      break;
    }
    if (length > bytes.size() || bytes.size() - p < length + 4) break;
    put_crc(bytes, at, p + static_cast<std::size_t>(length), blocks);
    at = p + static_cast<std::size_t>(length) + 4;
  }
  return bytes;
}

void write(const std::string& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

// Reads `path` as the tool would; returns true if it was refused as damaged.
bool read(const std::string& path, bool salvage) {
  try {
    const lockstep::Trace t = lockstep::read_trace(path, {.salvage = salvage});
    // What the tool does with a trace must cope with anything the reader accepts.
    std::ostringstream sink;
    for (const auto& e : lockstep::timeline(t)) sink << e.who << e.what;
    lockstep::export_chrome(t, sink);
    for (const auto& g : t.gaps)
      if (g.end <= g.offset) std::abort();  // a gap skips at least one byte
  } catch (const lockstep::TraceCorruptError& e) {
    if (salvage) std::abort();  // salvaging reads around damaged records
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
    return true;
  } catch (const lockstep::TraceError& e) {
    const std::string what = e.what();
    if (what.find('\n') != std::string::npos) std::abort();  // errors are one line
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  write(path, bytes);
  // Salvaging differs from a plain read only where the plain read found damage.
  if (read(path, false)) read(path, true);
  const std::string fixed = with_checksums_fixed(bytes);
  if (fixed != bytes) {
    write(path, fixed);
    read(path, false);
  }
  return 0;
}
