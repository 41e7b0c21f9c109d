"""On timeout, wait_for cancels the inner and waits for it to finish: an inner that
takes time to clean up after the cancellation delays the TimeoutError until it is done.
For a task argument the task is done when TimeoutError is raised."""

import asyncio

from vtloop import log


async def slow_cleanup(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"{name} cancelled, cleaning up")
        await asyncio.sleep(1.5)
        log(f"{name} cleanup done")
        raise


async def main():
    try:
        await asyncio.wait_for(slow_cleanup("coro"), 1)
    except TimeoutError:
        log("wait_for(coro) raised TimeoutError")
    t = asyncio.create_task(slow_cleanup("task"), name="task")
    try:
        await asyncio.wait_for(t, 1)
    except TimeoutError:
        log(f"wait_for(task) raised TimeoutError task done={t.done()} cancelled={t.cancelled()}")
