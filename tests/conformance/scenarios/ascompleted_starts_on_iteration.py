"""CPython 3.11's as_completed() is a generator: nothing happens when it is called. Its
timeout starts, and the inputs are watched, only when iteration begins. Here iteration
begins 2 s after the call, so a 3 s timeout ends at t=5, not t=3."""

import asyncio

from vtloop import log


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


async def main():
    a = asyncio.create_task(child("a", 4), name="a")
    b = asyncio.create_task(child("b", 10), name="b")
    it = asyncio.as_completed([a, b], timeout=3)
    await asyncio.sleep(2)
    log("iteration begins")
    for i, next_one in enumerate(it):
        try:
            log(f"next {i}: {await next_one}")
        except TimeoutError:
            log(f"next {i}: TimeoutError")
    b.cancel()
