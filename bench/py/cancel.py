"""W6 cancel: one op = one cancellation (cancel + unwind + join).

The root creates 100,000 tasks, each awaiting its own never-set future, and yields
once so that all of them are parked. Timed from there: cancel every task and await
them all with gather(return_exceptions=True). The creation + parking cost is
reported on stderr as setup_ns_per_task.
"""

import asyncio
import time

import vt

N = 100_000


async def parked(fut):
    await fut


async def root():
    loop = asyncio.get_running_loop()
    t_setup = time.perf_counter_ns()
    tasks = [asyncio.create_task(parked(loop.create_future())) for _ in range(N)]
    await asyncio.sleep(0)  # every task takes its first step and parks on its future
    t0 = time.perf_counter_ns()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    t1 = time.perf_counter_ns()
    cancelled = sum(isinstance(r, asyncio.CancelledError) for r in results)
    return t1 - t0, t0 - t_setup, cancelled


def main():
    elapsed_ns, setup_ns, cancelled = vt.run(root())
    vt.check("cancel", cancelled=cancelled, setup_ns_per_task=f"{setup_ns / N:.1f}")
    vt.report("cancel", N, elapsed_ns)


if __name__ == "__main__":
    main()
