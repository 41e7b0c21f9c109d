// libFuzzer target: the trace reader and everything the CLI does with what it reads.
// Any input must give a Trace or a one-line TraceError: never a crash, a hang, a leak or
// undefined behaviour (the fuzz config adds ASan and UBSan).
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    const lockstep::Trace t = lockstep::read_trace(path);
    // What the tool does with a trace must cope with anything the reader accepts.
    std::ostringstream sink;
    for (const auto& e : lockstep::timeline(t)) sink << e.who << e.what;
    lockstep::export_chrome(t, sink);
  } catch (const lockstep::TraceError& e) {
    const std::string what = e.what();
    if (what.find('\n') != std::string::npos) std::abort();  // errors are one line
  }
  return 0;
}
