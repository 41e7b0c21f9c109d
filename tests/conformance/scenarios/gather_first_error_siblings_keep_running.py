"""Without return_exceptions, the first child to fail makes the gather raise that
exception at once; the other children are not cancelled and keep running to the end.
A second failure later is swallowed by the gather (its exception marked retrieved)."""

import asyncio

from vtloop import log


async def child(name, delay, fail):
    await asyncio.sleep(delay)
    if fail:
        log(f"{name} raises ValueError")
        raise ValueError(name)
    log(f"{name} finishes")
    return name


async def main():
    a = asyncio.create_task(child("a", 3, False), name="a")
    b = asyncio.create_task(child("b", 1, True), name="b")
    c = asyncio.create_task(child("c", 2, True), name="c")
    g = asyncio.gather(a, b, c)
    try:
        await g
    except ValueError as e:
        log(f"gather raised ValueError {e}")
    log(f"a done={a.done()} c done={c.done()} gather done={g.done()}")
    log(f"gather.cancel() returned {g.cancel()}")
    log(f"a returned {await a}")
    log(f"c cancelled={c.cancelled()} exception={c.exception()}")
