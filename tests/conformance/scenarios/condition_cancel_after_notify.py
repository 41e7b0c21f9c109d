"""bpo-32841: a Condition waiter is notified, and cancelled while it waits to re-acquire
the lock. wait() still re-acquires (once the notifier releases), then raises
CancelledError, and `async with` releases the lock on the way out."""

import asyncio

from vtloop import log


async def wait_on_cond(cond):
    async with cond:
        log("waiter entered")
        try:
            await cond.wait()
        except asyncio.CancelledError:
            log(f"waiter cancelled locked={cond.locked()}")
            raise


async def main():
    cond = asyncio.Condition()
    waiter = asyncio.create_task(wait_on_cond(cond), name="waiter")
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify()
    await asyncio.sleep(0)
    log("waiter notified, main still holds the lock")
    waiter.cancel()
    await asyncio.sleep(0)
    log(f"waiter done={waiter.done()}")
    cond.release()
    await asyncio.sleep(0)
    log(f"waiter cancelled={waiter.cancelled()} locked={cond.locked()}")
