"""Cancelling the task that awaits a gather forwards the cancel to the gather, which
cancels every child. The children's cleanup runs first; then the task gets
CancelledError, even though the gather used return_exceptions=True. A child that
swallows its cancellation and returns still delays the error until it is done."""

import asyncio

from vtloop import log


async def child(name, swallow):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        if not swallow:
            raise
        await asyncio.sleep(1)
        log(f"{name} returns anyway")
        return name


async def parent(a, b):
    try:
        results = await asyncio.gather(a, b, return_exceptions=True)
        log(f"parent got {results} (not reached)")
    except asyncio.CancelledError as e:
        log(f"parent caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def main():
    a = asyncio.create_task(child("a", False), name="a")
    b = asyncio.create_task(child("b", True), name="b")
    p = asyncio.create_task(parent(a, b), name="parent")
    await asyncio.sleep(1)
    log(f"cancel parent returned {p.cancel('from main')}")
    try:
        await p
    except asyncio.CancelledError:
        log(f"parent cancelled={p.cancelled()}")
    log(f"a cancelled={a.cancelled()} b cancelled={b.cancelled()} b result={b.result()}")
