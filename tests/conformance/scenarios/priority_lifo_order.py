"""PriorityQueue returns the smallest item first and LifoQueue the newest. A getter is
woken by the first put_nowait(), but takes what is at the front when it runs: with a
smaller item put in between, it gets that one. (Priorities here are distinct: CPython's
heapq does not order equal ones.)"""

import asyncio

from vtloop import log


async def getter(q, name):
    item = await q.get()
    log(f"{name} got {item}")


async def main():
    for q in (asyncio.PriorityQueue(), asyncio.LifoQueue()):
        kind = type(q).__name__
        g = asyncio.create_task(getter(q, kind + " getter"), name="getter")
        await asyncio.sleep(0)
        q.put_nowait(5)
        q.put_nowait(1)
        q.put_nowait(3)
        log(f"{kind} put 5 1 3")
        await g
        for x in (4, 2, 6):
            await q.put(x)
        log(f"{kind} rest: {[q.get_nowait() for _ in range(q.qsize())]}")
