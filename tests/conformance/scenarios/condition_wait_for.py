"""Condition.wait_for(predicate) checks the predicate before waiting (no wait if it
holds), then after every wakeup, and returns its last value. Consumers woken by
notify_all() whose predicate is false again go back to waiting, behind nobody: they
re-enter the waiter list in the order they re-check."""

import asyncio

from vtloop import log


async def consumer(cond, items, name):
    async with cond:
        n = await cond.wait_for(lambda: len(items))
        log(f"{name} saw {n} items, took {items.pop(0)}")


async def main():
    cond = asyncio.Condition()
    items = ["ready"]
    tasks = [asyncio.create_task(consumer(cond, items, f"c{i}"), name=f"c{i}") for i in range(4)]
    await asyncio.sleep(0)
    async with cond:
        items.append("x1")
        cond.notify_all()
        log("x1 added, notified all")
    await asyncio.sleep(1)
    async with cond:
        items.extend(["x2", "x3"])
        cond.notify(1)
        log("x2 x3 added, notified 1")
    await asyncio.sleep(1)
    async with cond:
        cond.notify(1)
        log("notified 1")
    for t in tasks:
        await t
