"""gather: one op = one child of a gather (done callback, completion, result collected).

100,000 tasks each yield once and return i; they are created and parked first, then
(timed) gathered by the root. check sum=4999950000.
"""

import asyncio
import time

import vt

N = 100_000


async def child(i):
    await asyncio.sleep(0)
    return i


async def root():
    tasks = [asyncio.create_task(child(i)) for i in range(N)]
    await asyncio.sleep(0)  # every child parks at its yield
    t0 = time.perf_counter_ns()
    total = sum(await asyncio.gather(*tasks))
    return time.perf_counter_ns() - t0, total


def main():
    elapsed_ns, total = vt.run(root())
    vt.check("gather", sum=total)
    vt.report("gather", N, elapsed_ns)


if __name__ == "__main__":
    main()
