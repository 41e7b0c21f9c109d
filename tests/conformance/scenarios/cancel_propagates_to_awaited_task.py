"""Cancelling a task that awaits another task forwards the cancel, message included, to
the awaited task. The inner task's cleanup runs first; then the outer task sees the
CancelledError the inner task finished with. Both end cancelled; each has
cancelling() == 1."""

import asyncio

from vtloop import log


async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"inner caught CancelledError msg={e.args[0] if e.args else ''}")
        raise
    finally:
        log("inner finally")


async def outer(child):
    try:
        await child
    except asyncio.CancelledError as e:
        log(f"outer caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def main():
    child = asyncio.create_task(inner(), name="inner")
    parent = asyncio.create_task(outer(child), name="outer")
    await asyncio.sleep(1)
    log(f"cancel outer returned {parent.cancel('from main')}")
    try:
        await parent
    except asyncio.CancelledError:
        log("main saw outer cancelled")
    log(f"inner cancelled={child.cancelled()} cancelling={child.cancelling()}")
    log(f"outer cancelled={parent.cancelled()} cancelling={parent.cancelling()}")
