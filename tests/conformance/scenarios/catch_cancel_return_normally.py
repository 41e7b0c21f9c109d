"""A task that catches CancelledError and returns normally completes with its result and
is not cancelled; cancelling() keeps counting the request until uncancel() is called,
which returns the remaining count and never goes below zero."""

import asyncio

from vtloop import log


async def worker():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        log("worker caught CancelledError and returns 1")
        return 1
    return 0


async def main():
    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(1)
    task.cancel()
    log(f"worker returned {await task}")
    log(f"cancelled={task.cancelled()} cancelling={task.cancelling()}")
    log(f"uncancel returned {task.uncancel()}")
    log(f"uncancel again returned {task.uncancel()}")
    log(f"cancel after done returned {task.cancel()} cancelling={task.cancelling()}")
