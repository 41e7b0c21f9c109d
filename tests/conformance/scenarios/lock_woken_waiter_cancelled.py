"""A Lock waiter that release() has woken but that is cancelled before it runs does not
take the lock: its acquire() raises CancelledError and, finding the lock free, wakes the
next waiter (Lock._wake_up_first). A waiter cancelled while still queued just leaves;
when it runs, the first waiter is already woken, so it wakes nobody else."""

import asyncio

from vtloop import log


async def waiter(lock, name):
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        log(f"{name} cancelled locked={lock.locked()}")
        raise
    log(f"{name} acquired")
    await asyncio.sleep(1)
    lock.release()
    log(f"{name} released")


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = [asyncio.create_task(waiter(lock, n), name=n) for n in ("b", "c", "d", "e")]
    await asyncio.sleep(0)
    lock.release()
    log(f"main released locked={lock.locked()}")
    tasks[0].cancel()  # b: woken already
    tasks[2].cancel()  # d: still queued
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            log(f"{t.get_name()} cancelled={t.cancelled()}")
    log(f"locked={lock.locked()}")
