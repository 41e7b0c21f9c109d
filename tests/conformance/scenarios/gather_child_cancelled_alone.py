"""A child cancelled on its own (not through the gather) is treated like a child that
raised CancelledError: without return_exceptions the gather fails at once with that
CancelledError, message included, yet the gather future is not cancelled() (it holds
an exception) and the sibling keeps running. The task awaiting the gather, which did
not catch it, ends cancelled."""

import asyncio

from vtloop import log


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        raise
    log(f"{name} finishes")
    return name


async def waiter(g):
    try:
        return await g
    finally:
        log("waiter unwinds")


async def main():
    a = asyncio.create_task(child("a", 1), name="a")
    b = asyncio.create_task(child("b", 3), name="b")
    g = asyncio.gather(a, b)
    w = asyncio.create_task(waiter(g), name="waiter")
    await asyncio.sleep(0.5)
    a.cancel("only a")
    try:
        await w
    except asyncio.CancelledError as e:
        log(f"waiter raised CancelledError msg={e.args[0] if e.args else ''}")
    log(f"gather done={g.done()} cancelled={g.cancelled()} waiter cancelled={w.cancelled()}")
    log(f"b done={b.done()}")
    log(f"b returned {await b}")
