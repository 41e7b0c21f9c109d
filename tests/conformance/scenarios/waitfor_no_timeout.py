"""wait_for(aw, None) never times out: it just awaits. A coroutine runs inline in the
calling task (no extra task: current_task() inside is the caller), and an already-done
future gives its result without yielding to the loop."""

import asyncio

from vtloop import log


async def long_job():
    log(f"long_job runs in task {asyncio.current_task().get_name()}")
    await asyncio.sleep(100)
    return "long"


async def ticker():
    for i in range(2):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    log(f"wait_for(coro, None) returned {await asyncio.wait_for(long_job(), None)}")
    f = asyncio.get_running_loop().create_future()
    f.set_result("ready")
    asyncio.create_task(ticker(), name="ticker")
    log(f"wait_for(done future, None) returned {await asyncio.wait_for(f, None)}")
    await asyncio.sleep(0)
    log("main finishes")
