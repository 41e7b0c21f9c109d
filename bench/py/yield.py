"""W2 yield: one op = one `await asyncio.sleep(0)`, a context switch through the
ready queue.

1,000 tasks each yield 1,000 times; the root gathers them. Timed: from before the
first create_task to after the gather.
"""

import asyncio
import time

import vt

TASKS = 1_000
YIELDS = 1_000
N = TASKS * YIELDS


async def yielder():
    for _ in range(YIELDS):
        await asyncio.sleep(0)
    return YIELDS  # switches done by this task


async def root():
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(yielder()) for _ in range(TASKS)]
    switches = sum(await asyncio.gather(*tasks))
    return time.perf_counter_ns() - t0, switches


def main():
    elapsed_ns, switches = vt.run(root())
    vt.check("yield", switches=switches)
    vt.report("yield", N, elapsed_ns)


if __name__ == "__main__":
    main()
