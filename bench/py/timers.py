"""W3 timers: one op = one timer event (arm + fire + resume).

10,000 tasks each sleep 100 times for `d` ms of virtual time, `d` drawn from a
per-task 32-bit LCG (Numerical Recipes constants), so the checksums do not depend on
how ties between equal deadlines are broken. The root gathers them. Checks: the sum
of all delays, and the virtual clock at the end (= the longest task). Timed: from
before the first create_task to after the gather.
"""

import asyncio
import time

import vt

TASKS = 10_000
SLEEPS = 100
N = TASKS * SLEEPS
MASK32 = 0xFFFF_FFFF


async def sleeper(task_id):
    x = 0x5EED1234 ^ ((task_id * 2654435761) & MASK32)
    total_ms = 0
    for _ in range(SLEEPS):
        x = (1664525 * x + 1013904223) & MASK32
        d_ms = ((x >> 16) % 1000) + 1
        total_ms += d_ms
        await asyncio.sleep(d_ms / 1000)
    return total_ms


async def root():
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(sleeper(task_id)) for task_id in range(TASKS)]
    sum_ms = sum(await asyncio.gather(*tasks))
    elapsed_ns = time.perf_counter_ns() - t0
    return elapsed_ns, sum_ms, round(loop.time() * 1000)


def main():
    elapsed_ns, sum_ms, vtime_end_ms = vt.run(root())
    vt.check("timers", sum_ms=sum_ms, vtime_end_ms=vtime_end_ms)
    vt.report("timers", N, elapsed_ns)


if __name__ == "__main__":
    main()
