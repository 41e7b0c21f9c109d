"""Queue.put() and cancellation: a putter cancelled while waiting inserts nothing; one
woken by get_nowait() and cancelled before it runs inserts nothing either and passes
the free slot to the next putter (test_put_cancelled_race in CPython's suite)."""

import asyncio

from vtloop import log


async def putter(q, item):
    try:
        await q.put(item)
    except asyncio.CancelledError:
        log(f"put {item} cancelled qsize={q.qsize()}")
        raise
    log(f"put {item} done")


async def main():
    q = asyncio.Queue(maxsize=1)
    tasks = [asyncio.create_task(putter(q, x), name=f"put-{x}") for x in ("a", "b", "X", "c", "d")]
    await asyncio.sleep(0)
    tasks[2].cancel()  # X: waiting
    await asyncio.sleep(0)
    log(f"got {q.get_nowait()}")  # wakes b
    await asyncio.sleep(0)
    log(f"got {q.get_nowait()}")  # wakes c
    tasks[3].cancel()  # c: woken, then cancelled: wakes d
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            log(f"{t.get_name()} cancelled={t.cancelled()}")
    log(f"qsize={q.qsize()} got {q.get_nowait()}")
