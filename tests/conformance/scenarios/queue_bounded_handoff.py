"""A bounded Queue(maxsize=1) between two producers and two consumers. put() blocks
while full and get() while empty; each put_nowait() wakes the first waiting getter and
each get_nowait() the first waiting putter, and the woken task re-checks when it runs,
so the order of items and of wakeups follows asyncio's FIFO lists exactly."""

import asyncio

from vtloop import log


async def producer(q, name, items):
    for item in items:
        log(f"{name} putting {item} full={q.full()}")
        await q.put(item)
        log(f"{name} put {item} qsize={q.qsize()}")


async def consumer(q, name, n):
    for _ in range(n):
        item = await q.get()
        log(f"{name} got {item} empty={q.empty()}")
        await asyncio.sleep(0)


async def main():
    q = asyncio.Queue(maxsize=1)
    log(f"maxsize={q.maxsize} empty={q.empty()} full={q.full()}")
    tasks = [
        asyncio.create_task(consumer(q, "c1", 3), name="c1"),
        asyncio.create_task(producer(q, "p1", [1, 2, 3]), name="p1"),
        asyncio.create_task(producer(q, "p2", [10, 20, 30]), name="p2"),
        asyncio.create_task(consumer(q, "c2", 3), name="c2"),
    ]
    for t in tasks:
        await t
    log(f"qsize={q.qsize()}")
