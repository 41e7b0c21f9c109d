"""create_task does not start the coroutine: its first step is scheduled with call_soon,
so it runs only once the creator yields, after callbacks queued before the task was
created and before those queued after; tasks start in creation order."""

import asyncio

from vtloop import log


async def worker(name):
    log(f"{name} first step")
    await asyncio.sleep(0)
    log(f"{name} second step")
    return name


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(log, "callback queued before the tasks")
    t1 = asyncio.create_task(worker("t1"), name="t1")
    t2 = asyncio.create_task(worker("t2"), name="t2")
    loop.call_soon(log, "callback queued after the tasks")
    log("tasks created, none started")
    await asyncio.sleep(0)
    log("main resumed")
    log(f"t1 returned {await t1}")
    log(f"t2 returned {await t2}")
