"""get_nowait() on an empty queue raises QueueEmpty and put_nowait() on a full one
QueueFull, both with an empty message; an unbounded queue (maxsize 0) is never full;
get() on a non-empty queue and put() on a non-full one do not yield to the loop."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(2):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def main():
    q = asyncio.Queue(maxsize=2)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        log(f"get_nowait raised {type(e).__name__}: {str(e)}")
    q.put_nowait(1)
    q.put_nowait(2)
    try:
        q.put_nowait(3)
    except asyncio.QueueFull as e:
        log(f"put_nowait raised {type(e).__name__}: {str(e)} qsize={q.qsize()}")
    t = asyncio.create_task(ticker(), name="ticker")
    await asyncio.sleep(0)
    log(f"got {await q.get()} then put")
    await q.put(4)
    log(f"no yield qsize={q.qsize()} full={q.full()}")
    await t
    big = asyncio.Queue()
    for i in range(1000):
        big.put_nowait(i)
    log(f"unbounded qsize={big.qsize()} full={big.full()} maxsize={big.maxsize}")
