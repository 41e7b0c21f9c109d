"""Blocked getters of a Queue are served in FIFO order, one item each; a getter that
did not have to wait can take an item ahead of woken getters that have not run yet,
and the woken getter whose item was taken goes back to waiting (at the end of the
list), so it is served after getters that queued later."""

import asyncio

from vtloop import log


async def getter(q, name):
    item = await q.get()
    log(f"{name} got {item}")


async def main():
    q = asyncio.Queue()
    tasks = [asyncio.create_task(getter(q, n), name=n) for n in ("g1", "g2", "g3")]
    await asyncio.sleep(0)
    q.put_nowait("a")  # wakes g1
    log(f"main took {q.get_nowait()} before g1 ran")
    await asyncio.sleep(0)
    log("g1 is waiting again")
    q.put_nowait("b")
    q.put_nowait("c")
    q.put_nowait("d")
    for t in tasks:
        await t
    log(f"qsize={q.qsize()}")
