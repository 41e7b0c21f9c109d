"""wait_for with timeout 0 (or less): a coroutine never runs (it is wrapped in a task
that is cancelled before its first step) and wait_for raises TimeoutError; a future
that is already done gives its result, without yielding to the loop; a pending task is
cancelled and awaited, so it raises TimeoutError, unless the task swallows the
cancellation and returns a value, which wait_for then returns."""

import asyncio

from vtloop import log


async def body(name):
    log(f"{name} runs")
    await asyncio.sleep(1)
    return name


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log("stubborn swallows the cancellation")
    return "stubborn value"


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    asyncio.create_task(ticker(), name="ticker")
    try:
        await asyncio.wait_for(body("coro"), 0)
    except TimeoutError:
        log("coroutine: TimeoutError")
    f = loop.create_future()
    f.set_result("done value")
    log(f"done future: {await asyncio.wait_for(f, 0)}")
    t = asyncio.create_task(body("task"), name="task")
    await asyncio.sleep(0)
    try:
        await asyncio.wait_for(t, -1)
    except TimeoutError:
        log(f"pending task: TimeoutError cancelled={t.cancelled()}")
    s = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    log(f"stubborn task: {await asyncio.wait_for(s, 0)}")
