"""A Queue getter woken by put_nowait() and cancelled before it runs takes no item and
passes the wakeup to the next getter, so no item is lost (bpo-31325 family); a getter
cancelled while still waiting is just dropped from the getters list."""

import asyncio

from vtloop import log


async def reader(q, name):
    try:
        item = await q.get()
    except asyncio.CancelledError:
        log(f"{name} cancelled qsize={q.qsize()}")
        raise
    log(f"{name} got {item}")


async def main():
    q = asyncio.Queue()
    tasks = [asyncio.create_task(reader(q, n), name=n) for n in ("r1", "r2", "r3", "r4")]
    await asyncio.sleep(0)
    tasks[1].cancel()  # r2: still waiting
    await asyncio.sleep(0)
    q.put_nowait("a")  # wakes r1
    q.put_nowait("b")  # wakes r3 (r2's future is gone)
    tasks[0].cancel()  # r1: woken, then cancelled
    log(f"put a and b, cancelled r1 qsize={q.qsize()}")
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            log(f"{t.get_name()} cancelled={t.cancelled()}")
    log(f"qsize={q.qsize()}")
