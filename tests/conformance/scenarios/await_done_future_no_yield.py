"""Awaiting a Future or Task that is already done returns its result at once without
suspending, so other ready tasks do not get to run in between; only awaiting a pending
one (or sleep(0)) yields to the loop."""

import asyncio

from vtloop import log


async def quick():
    return 7


async def ticker():
    log("ticker ran")


async def main():
    loop = asyncio.get_running_loop()
    done_task = asyncio.create_task(quick(), name="quick")
    await asyncio.sleep(0)
    log(f"quick done={done_task.done()}")
    asyncio.create_task(ticker(), name="ticker")
    fut = loop.create_future()
    fut.set_result("ready")
    log(f"awaited done future: {await fut}")
    log(f"awaited done task: {await done_task}")
    log("still before ticker")
    await asyncio.sleep(0)
    log("after sleep(0)")
