"""A task cancelled while waiting at a Barrier leaves the round: it re-acquires the
condition lock, decrements the count, and raises CancelledError; n_waiting drops, and
the round then needs a replacement party before it trips."""

import asyncio

from vtloop import log


async def party(barrier, name):
    try:
        index = await barrier.wait()
    except asyncio.CancelledError:
        log(f"{name} cancelled n_waiting={barrier.n_waiting}")
        raise
    log(f"{name} passed index={index}")


async def main():
    barrier = asyncio.Barrier(3)
    a, b = (asyncio.create_task(party(barrier, n), name=n) for n in ("a", "b"))
    await asyncio.sleep(0)
    log(f"n_waiting={barrier.n_waiting}")
    a.cancel()
    await asyncio.sleep(0)
    log(f"after cancel n_waiting={barrier.n_waiting}")
    c, d = (asyncio.create_task(party(barrier, n), name=n) for n in ("c", "d"))
    for t in (a, b, c, d):
        try:
            await t
        except asyncio.CancelledError:
            log(f"{t.get_name()} cancelled={t.cancelled()}")
    log(f"n_waiting={barrier.n_waiting} broken={barrier.broken}")
