"""shield() of a future that is already done returns that very future (asyncio's
shortcut), so awaiting it does not yield to the loop; shield() of a pending one returns
a new future, which completes one iteration after the inner does."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result("ready")
    s = asyncio.shield(done)
    log(f"shield(done) returns the same future: {s is done}")
    asyncio.create_task(ticker(), name="ticker")
    log(f"got {await s} without yielding")
    pending = loop.create_future()
    s2 = asyncio.shield(pending)
    log(f"shield(pending) returns the same future: {s2 is pending}")
    pending.set_result("later")
    log(f"inner done={pending.done()} outer done={s2.done()}")
    log(f"got {await s2}")
