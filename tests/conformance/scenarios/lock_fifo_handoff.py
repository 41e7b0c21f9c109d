"""Lock hands itself to its waiters in FIFO order. release() only wakes the first waiter,
which takes the lock one iteration later; a task that releases and at once calls
acquire() again does not barge in (acquire() takes a free lock at once only if no live
waiter queues) but queues behind everyone already waiting."""

import asyncio

from vtloop import log


async def worker(lock, name):
    for r in range(2):
        await lock.acquire()
        log(f"{name} acquired round {r}")
        await asyncio.sleep(1)
        lock.release()
        log(f"{name} released round {r} locked={lock.locked()}")
    log(f"{name} done")


async def main():
    lock = asyncio.Lock()
    tasks = [asyncio.create_task(worker(lock, n), name=n) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    log(f"locked={lock.locked()}")
    for t in tasks:
        await t
    log(f"locked={lock.locked()}")
