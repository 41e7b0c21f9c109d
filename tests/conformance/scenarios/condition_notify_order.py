"""Condition.notify(n) wakes the n oldest waiters, but notify() does not release the lock:
the woken waiters then queue for the lock and return from wait() one at a time, in FIFO
order, each once the previous one has released it. notify_all() wakes the rest."""

import asyncio

from vtloop import log


async def waiter(cond, name):
    async with cond:
        log(f"{name} waiting")
        await cond.wait()
        log(f"{name} woke")
        await asyncio.sleep(0)
    log(f"{name} released")


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(waiter(cond, f"w{i}"), name=f"w{i}") for i in range(5)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify()
        log("notified 1")
        await asyncio.sleep(0)
        log("still holding")
    await asyncio.sleep(1)
    async with cond:
        cond.notify(2)
        log("notified 2")
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
        log("notified all")
    for t in tasks:
        await t
    log(f"locked={cond.locked()}")
