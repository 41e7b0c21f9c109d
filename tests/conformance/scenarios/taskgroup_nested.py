"""Nested TaskGroups. A: an inner group runs in a child of the outer group; an inner
child fails: the inner group cancels its sibling and its body, then raises an
ExceptionGroup out of that child, which the outer group records as its error in turn,
cancelling the outer siblings and body. The outer ExceptionGroup holds the inner one.
B: the inner group runs in the outer body; its ExceptionGroup escapes the body, is
nested the same way, and the outer children are cancelled only then."""

import asyncio

from vtloop import log


async def sleeper(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log(f"{name} cancelled")
        raise
    log(f"{name} finishes")


async def crash(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} raises ValueError")
    raise ValueError(name)


async def inner_runner(label):
    try:
        async with asyncio.TaskGroup() as inner:
            inner.create_task(sleeper(f"{label}-inner-sib", 10), name=f"{label}-inner-sib")
            inner.create_task(crash(f"{label}-inner-crash", 1), name=f"{label}-inner-crash")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log(f"{label} inner body cancelled")
                raise
    except ExceptionGroup:
        log(f"{label} inner group raised ExceptionGroup")
        raise


def describe(eg, depth):
    pad = "  " * depth
    log(f"{pad}ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
    for e in eg.exceptions:
        if isinstance(e, ExceptionGroup):
            describe(e, depth + 1)
        else:
            log(f"{pad}  {type(e).__name__} {e.args[0] if e.args else ''}")


async def main():
    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(sleeper("A-outer-sib", 10), name="A-outer-sib")
            outer.create_task(inner_runner("A"), name="A-inner-runner")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log("A outer body cancelled")
                raise
    except ExceptionGroup as eg:
        describe(eg, 0)

    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(sleeper("B-outer-sib", 10), name="B-outer-sib")
            await inner_runner("B")
            log("B not reached")
    except ExceptionGroup as eg:
        describe(eg, 0)
    log(f"cancelling={asyncio.current_task().cancelling()}")
