"""Barrier.reset() while tasks wait makes each of them raise BrokenBarrierError ("Abort
or reset of barrier") and leaves the barrier usable once they have left; abort() breaks
it: waiters and later wait() calls raise BrokenBarrierError ("Barrier aborted" for
the latter) until reset()."""

import asyncio

from vtloop import log


async def party(barrier, name):
    try:
        index = await barrier.wait()
        log(f"{name} passed index={index}")
    except asyncio.BrokenBarrierError as e:
        log(f"{name} BrokenBarrierError: {e.args[0]} broken={barrier.broken}")


async def run_parties(barrier, names):
    tasks = [asyncio.create_task(party(barrier, n), name=n) for n in names]
    await asyncio.sleep(0)
    log(f"n_waiting={barrier.n_waiting}")
    return tasks


async def main():
    barrier = asyncio.Barrier(3)
    tasks = await run_parties(barrier, ["a", "b"])
    await barrier.reset()
    log(f"reset n_waiting={barrier.n_waiting} broken={barrier.broken}")
    tasks += await run_parties(barrier, ["c", "d", "e"])
    tasks += await run_parties(barrier, ["f"])
    await barrier.abort()
    log(f"aborted broken={barrier.broken}")
    tasks += await run_parties(barrier, ["g"])
    for t in tasks:
        await t
    await barrier.reset()
    log(f"reset broken={barrier.broken}")
    tasks = await run_parties(barrier, ["h", "i", "j"])
    for t in tasks:
        await t
