"""Semaphore and cancelled waiters (bpo-45997 and the 3.11 rework): waiters cancelled
before release() are skipped, so the unit goes to the first live waiter. A waiter woken
by release() and then cancelled before it runs gives its unit back and wakes the next
waiter. No unit is lost and none is handed out twice."""

import asyncio

from vtloop import log


async def acquirer(sem, name):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        log(f"{name} cancelled locked={sem.locked()}")
        raise
    log(f"{name} acquired")


async def main():
    sem = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(acquirer(sem, n), name=n) for n in ("t1", "t2", "t3", "t4", "t5")]
    await asyncio.sleep(0)
    tasks[0].cancel()
    tasks[1].cancel()
    sem.release()
    log(f"released locked={sem.locked()}")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    log("done: " + " ".join(f"{t.get_name()}={t.done()}" for t in tasks))
    sem.release()
    tasks[3].cancel()  # t4: woken by that release, cancelled before it runs
    log("released again, cancelled t4")
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            pass
    log("cancelled: " + " ".join(f"{t.get_name()}={t.cancelled()}" for t in tasks))
    log(f"locked={sem.locked()}")
