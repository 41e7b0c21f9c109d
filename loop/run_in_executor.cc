#include "loop/run_in_executor.h"

#include "loop/escape.h"

namespace lockstep::internal {

void wait_for_job(const std::shared_future<void>& done, std::uint64_t job, TimePoint submitted) {
  // Real time appears here only to tell a person why the run stands still.
  constexpr auto kNotice = std::chrono::seconds(10);
  int waited = 0;
  // That real-time wait is lockstep's, not the program's: not an escape (loop/escape.h).
  AllowEscapes allow("waiting for an executor job whose decided completion is due");
  while (done.wait_for(kNotice) != std::future_status::ready) {
    waited += 10;
    std::fprintf(stderr,
                 "lockstep: the loop has waited %d s (real time) for executor job #%llu, "
                 "submitted at t=%.6fs, to finish\n",
                 waited, static_cast<unsigned long long>(job), to_seconds(submitted));
  }
}

}  // namespace lockstep::internal
