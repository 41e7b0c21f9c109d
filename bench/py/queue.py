"""W5 queue: one op = one item put + get through a bounded asyncio.Queue.

One queue of maxsize 100. 10 producers are created first (producer p puts
p*100000 + i for i < 100,000), then 10 consumers, each getting exactly 100,000
items. asyncio.Queue's own semantics apply: a blocked putter or getter is woken
and re-checks. Timed: from before creating the tasks to after all have finished.

(This file shadows the stdlib `queue` module for scripts run from bench/py/; nothing
these comparators import needs it: asyncio.Queue lives in asyncio.queues.)
"""

import asyncio
import time

import vt

PRODUCERS = CONSUMERS = 10
PER_TASK = 100_000
N = PRODUCERS * PER_TASK


async def producer(q, p):
    base = p * PER_TASK
    for i in range(PER_TASK):
        await q.put(base + i)


async def consumer(q):
    total = 0
    for _ in range(PER_TASK):
        total += await q.get()
    return total


async def root():
    t0 = time.perf_counter_ns()
    q = asyncio.Queue(maxsize=100)
    producers = [asyncio.create_task(producer(q, p)) for p in range(PRODUCERS)]
    consumers = [asyncio.create_task(consumer(q)) for _ in range(CONSUMERS)]
    await asyncio.gather(*producers)
    total = sum(await asyncio.gather(*consumers))
    return time.perf_counter_ns() - t0, total


def main():
    elapsed_ns, total = vt.run(root())
    vt.check("queue", sum=total)
    vt.report("queue", N, elapsed_ns)


if __name__ == "__main__":
    main()
