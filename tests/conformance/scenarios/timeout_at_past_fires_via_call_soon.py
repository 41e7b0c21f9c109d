"""A deadline already in the past does not fire at once: the scope schedules its
timeout with call_soon. A body that completes without yielding leaves the scope before
the callback runs, so the scope did not expire. A body that yields (sleep(0)) is cancelled
in the next iteration, after the callbacks queued before it, and TimeoutError follows.
A deadline equal to now counts as past."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    await asyncio.sleep(1)
    cm = asyncio.timeout_at(loop.time() - 1)
    async with cm:
        log("body without await runs")
    log(f"no-yield body: expired={cm.expired()}")

    asyncio.create_task(ticker(), name="ticker")
    cm = asyncio.timeout_at(loop.time())
    try:
        async with cm:
            log("body yields")
            await asyncio.sleep(0)
            log("body resumed (not reached)")
    except TimeoutError:
        log(f"yielding body: TimeoutError expired={cm.expired()}")
    cm = asyncio.timeout(0)
    try:
        async with cm:
            await asyncio.sleep(1)
    except TimeoutError:
        log(f"timeout(0): TimeoutError expired={cm.expired()}")
