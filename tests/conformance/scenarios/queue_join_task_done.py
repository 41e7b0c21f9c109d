"""Queue.join() waits until task_done() has been called once per item put; every
joiner wakes, in the order it began joining, after the last task_done(). join() on a
queue with nothing unfinished returns without yielding. One task_done() too many is a
ValueError."""

import asyncio

from vtloop import log


async def worker(q):
    while True:
        item = await q.get()
        await asyncio.sleep(item)
        log(f"worker finished {item}")
        q.task_done()


async def joiner(q, name):
    await q.join()
    log(f"{name} joined qsize={q.qsize()}")


async def main():
    q = asyncio.Queue()
    await q.join()
    log("join on a fresh queue returned")
    for item in (1, 2, 1):
        q.put_nowait(item)
    w = asyncio.create_task(worker(q), name="worker")
    joiners = [asyncio.create_task(joiner(q, n), name=n) for n in ("j1", "j2")]
    await q.join()
    log("main joined")
    for j in joiners:
        await j
    w.cancel()
    try:
        q.task_done()
    except ValueError as e:
        log(f"task_done raised ValueError: {e.args[0]}")
