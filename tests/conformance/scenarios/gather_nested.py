"""A gather can be a child of another gather. Cancelling the outer gather calls
cancel() on the inner gather, which cancels its own children; the message goes all the
way down. A failure inside the inner gather propagates out through the outer one at
once, while the inner's other child keeps running."""

import asyncio

from vtloop import log


async def child(name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        raise
    if fail:
        log(f"{name} raises ValueError")
        raise ValueError(name)
    log(f"{name} finishes")
    return name


async def main():
    a = asyncio.create_task(child("a", 5), name="a")
    b = asyncio.create_task(child("b", 5), name="b")
    c = asyncio.create_task(child("c", 5), name="c")
    inner = asyncio.gather(a, b)
    outer = asyncio.gather(inner, c)
    await asyncio.sleep(1)
    log(f"outer.cancel returned {outer.cancel('deep')}")
    try:
        await outer
    except asyncio.CancelledError as e:
        log(f"outer raised CancelledError msg={e.args[0] if e.args else ''}")
    log(f"inner done={inner.done()}")

    d = asyncio.create_task(child("d", 1, fail=True), name="d")
    e = asyncio.create_task(child("e", 3), name="e")
    f = asyncio.create_task(child("f", 2), name="f")
    try:
        await asyncio.gather(asyncio.gather(d, e), f)
    except ValueError as exc:
        log(f"outer raised ValueError {exc}")
    log(f"e done={e.done()} f done={f.done()}")
    await asyncio.gather(e, f)
    log("e and f finished")
