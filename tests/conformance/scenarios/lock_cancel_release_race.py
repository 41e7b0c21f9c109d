"""bpo-32734: one callback cancels the first of three Lock waiters and then releases
the lock. The cancel reaches the waiter's future first, so release() finds the first
future done and wakes nobody; the cancelled waiter, when it runs, finds the lock free
and wakes the second. Exactly one task takes the lock; the third stays queued."""

import asyncio

from vtloop import log


async def lockit(lock, name):
    log(f"{name} acquiring")
    await lock.acquire()
    log(f"{name} acquired")


async def main():
    loop = asyncio.get_running_loop()
    lock = asyncio.Lock()
    await lock.acquire()
    t1, t2, t3 = (asyncio.create_task(lockit(lock, n), name=n) for n in ("t1", "t2", "t3"))
    await asyncio.sleep(0)

    def trigger():
        log("trigger: cancel t1, release")
        t1.cancel()
        lock.release()

    loop.call_soon(trigger)
    try:
        await t1
    except asyncio.CancelledError:
        log("t1 cancelled")
    log(f"t2 done={t2.done()} t3 done={t3.done()} locked={lock.locked()}")
    t3.cancel()
    try:
        await t3
    except asyncio.CancelledError:
        log(f"t3 cancelled={t3.cancelled()} locked={lock.locked()}")
