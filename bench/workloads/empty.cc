// empty: the baseline RSS of a process that runs an empty lockstep program.
#include "bench/modes.h"
#include "bench/report.h"
#include "loop/lockstep.h"

lockstep::Coro<void> nothing() { co_return; }

int main() {
  lockstep::bench::run_workload("empty", [&] { return nothing(); });
  lockstep::bench::check("empty", "");
  lockstep::bench::report("empty", 0, 0);
}
