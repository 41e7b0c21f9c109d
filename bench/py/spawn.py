"""W1 spawn: one op = one task created, scheduled, run and joined.

The root creates 1,000,000 tasks running `f(i)`, gathers them all (so all of them
are alive at once and peak RSS reflects the per-task footprint) and sums the results.
Timed: from before the first create_task to after the sum.
"""

import asyncio
import time

import vt

N = 1_000_000


async def f(i):
    return i


async def root():
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(f(i)) for i in range(N)]
    total = sum(await asyncio.gather(*tasks))
    return time.perf_counter_ns() - t0, total


def main():
    elapsed_ns, total = vt.run(root())
    vt.check("spawn", sum=total)
    vt.report("spawn", N, elapsed_ns)


if __name__ == "__main__":
    main()
