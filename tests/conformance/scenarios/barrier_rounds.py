"""Barrier(3): the first two wait() calls block; the third trips the barrier and returns
index 2 first; the others return 0 and 1 in arrival order as each re-acquires the
barrier's condition lock. A task arriving while the round drains blocks until the last
task of the round has left, then counts toward the next round (n_waiting)."""

import asyncio

from vtloop import log


async def party(barrier, name, delay):
    await asyncio.sleep(delay)
    log(f"{name} arrives n_waiting={barrier.n_waiting}")
    index = await barrier.wait()
    log(f"{name} passed index={index} n_waiting={barrier.n_waiting}")


async def main():
    barrier = asyncio.Barrier(3)
    log(f"parties={barrier.parties} broken={barrier.broken}")
    tasks = [asyncio.create_task(party(barrier, n, d), name=n)
             for n, d in (("a", 0), ("b", 1), ("c", 2), ("d", 2), ("e", 3), ("f", 3))]
    for t in tasks:
        await t
    log(f"n_waiting={barrier.n_waiting} broken={barrier.broken}")
