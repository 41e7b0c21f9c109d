"""Semaphore bounds: a negative initial value is a ValueError; a plain Semaphore can be
released above its initial value, each extra unit letting one more acquire() through
without waiting; a BoundedSemaphore refuses that with ValueError and changes nothing.
`async with sem:` acquires and releases one unit."""

import asyncio

from vtloop import log


async def main():
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        log(f"Semaphore(-1) raised ValueError: {e.args[0]}")
    sem = asyncio.Semaphore(1)
    sem.release()
    sem.release()
    for i in range(3):
        await sem.acquire()
        log(f"acquire {i} locked={sem.locked()}")
    bounded = asyncio.BoundedSemaphore(2)
    async with bounded:
        log(f"inside async with locked={bounded.locked()}")
        async with bounded:
            log(f"nested locked={bounded.locked()}")
    try:
        bounded.release()
    except ValueError as e:
        log(f"over-release raised ValueError: {e.args[0]}")
    await bounded.acquire()
    await bounded.acquire()
    log(f"two acquires locked={bounded.locked()}")
