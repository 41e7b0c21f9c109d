"""An input that is already done comes out of as_completed() first, but not at once:
its done callback still goes through call_soon, so the first next() waits one loop
iteration, behind other ready callbacks, as a ticker shows. An input that completes in
that same iteration follows it."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def quick(name, yields):
    for _ in range(yields):
        await asyncio.sleep(0)
    log(f"{name} finishes")
    return name


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result("done")
    asyncio.create_task(ticker(), name="ticker")
    q = asyncio.create_task(quick("quick", 0), name="quick")
    s = asyncio.create_task(quick("slow", 2), name="slow")
    log("main iterates")
    for i, next_one in enumerate(asyncio.as_completed([s, done, q])):
        log(f"next {i}: {await next_one}")
