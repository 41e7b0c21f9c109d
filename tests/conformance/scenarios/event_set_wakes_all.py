"""Event.set() wakes every waiter; they resume in the order they began waiting, one
iteration later. clear() right after set() does not un-wake them. wait() on a set
event returns without yielding to the loop; set() on a set event changes nothing."""

import asyncio

from vtloop import log


async def waiter(ev, name):
    log(f"{name} waiting")
    await ev.wait()
    log(f"{name} woke is_set={ev.is_set()}")


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(ev, n), name=n) for n in ("w1", "w2", "w3")]
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    log(f"set and cleared is_set={ev.is_set()}")
    for t in tasks:
        await t
    ev.set()
    ev.set()
    tick = asyncio.create_task(ticker(), name="ticker")
    await asyncio.sleep(0)
    await ev.wait()
    log("wait on a set event returned")
    await tick
