"""The same future passed to gather several times is awaited once (one done callback)
but its result appears at each position; a duplicated child that was cancelled gives
a CancelledError at each position."""

import asyncio

from vtloop import log


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


async def main():
    loop = asyncio.get_running_loop()
    a = asyncio.create_task(child("a", 1), name="a")
    b = asyncio.create_task(child("b", 2), name="b")
    f = loop.create_future()
    loop.call_later(1.5, f.set_result, "f")
    results = await asyncio.gather(a, b, a, f, a, f)
    log(f"results {results}")
    bad = asyncio.create_task(child("bad", 1), name="bad")
    bad.cancel("dup")
    outcome = await asyncio.gather(bad, bad, return_exceptions=True)
    log(f"outcomes {[type(r).__name__ for r in outcome]}")
