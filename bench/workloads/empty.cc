// empty: the baseline RSS of a process that runs an empty lockstep program.
#include "bench/report.h"
#include "loop/lockstep.h"

lockstep::Coro<void> nothing() { co_return; }

int main() {
  lockstep::run(nothing());
  lockstep::bench::check("empty", "");
  lockstep::bench::report("empty", 0, 0);
}
