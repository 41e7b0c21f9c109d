"""A task that catches CancelledError may keep awaiting: the cancellation is not sticky,
so its next sleep completes normally and takes virtual time. A later cancel is delivered
at whatever await the task is in at that moment."""

import asyncio

from vtloop import log


async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log("worker caught first cancel, sleeps 2 more")
    await asyncio.sleep(2)
    log("worker finished the extra sleep, sleeps 10 again")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"worker caught second cancel msg={e.args[0] if e.args else ''}")
        raise


async def main():
    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(1)
    task.cancel("one")
    await asyncio.sleep(3)
    task.cancel("two")
    try:
        await task
    except asyncio.CancelledError:
        log(f"worker ended cancelled={task.cancelled()} cancelling={task.cancelling()}")
