"""Semaphore waiters are served FIFO. Two release() calls in a row wake the first two
waiters, each taking its unit at once (value stays 0). A task that releases and at once
acquires again queues behind the woken waiter, which, seeing units left when it runs,
wakes the next one (Semaphore.acquire's `if self._value > 0: self._wake_up_next()`)."""

import asyncio

from vtloop import log


async def c1(sem):
    await sem.acquire()
    log("c1 acquired")


async def c2(sem):
    await sem.acquire()
    log("c2 acquired")
    sem.release()
    log(f"c2 released locked={sem.locked()}")
    await sem.acquire()
    log("c2 acquired again")


async def c3(sem):
    await sem.acquire()
    log(f"c3 acquired locked={sem.locked()}")


async def main():
    sem = asyncio.Semaphore(1)
    tasks = [asyncio.create_task(c(sem), name=c.__name__) for c in (c1, c2, c3)]
    await asyncio.sleep(0)
    log(f"locked={sem.locked()}")
    sem.release()
    sem.release()
    log(f"released twice locked={sem.locked()}")
    for t in tasks:
        await t
    log(f"locked={sem.locked()}")
