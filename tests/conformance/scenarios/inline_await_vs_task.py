"""`await coro()` runs the coroutine inline in the awaiting task: no trip through the loop,
so other ready tasks do not run until the coroutine actually suspends. The same coroutine
wrapped in create_task runs only after the creator yields, behind tasks already ready."""

import asyncio

from vtloop import log


async def child(name, suspend):
    log(f"{name} start")
    if suspend:
        await asyncio.sleep(0)
    log(f"{name} end")
    return name


async def ticker():
    for i in range(3):
        log(f"ticker {i}")
        await asyncio.sleep(0)


async def main():
    tick = asyncio.create_task(ticker(), name="ticker")
    log(f"inline returned {await child('inline', False)}")
    log(f"inline-suspending returned {await child('inline-suspending', True)}")
    task = asyncio.create_task(child("task", False), name="task")
    log("task created")
    log(f"task returned {await task}")
    await tick
