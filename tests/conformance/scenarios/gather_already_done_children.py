"""A gather whose children are all already done is not itself done yet: each child's
done callback is scheduled with call_soon, the last one completes the gather, and the
awaiting task is woken one iteration later. So awaiting it costs two loop iterations,
as a ticker task shows. An empty gather() is done at once and costs none."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(4):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def quick():
    return "q"


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result("f")
    t = asyncio.create_task(quick(), name="quick")
    await asyncio.sleep(0)
    log(f"quick done={t.done()}")
    asyncio.create_task(ticker(), name="ticker")
    g = asyncio.gather(f, t)
    log(f"gather done right after creation: {g.done()}")
    log(f"results {await g}")
    await asyncio.sleep(0)
    e = asyncio.gather()
    log(f"empty gather done={e.done()}")
    log(f"empty results {await e}")
    await asyncio.sleep(0)
    log("main finishes")
