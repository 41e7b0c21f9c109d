"""vtloop behaviour (real asyncio would hang): when main is unfinished but nothing is
ready and no timer is pending, the loop raises RuntimeError("deadlock"). run() then
cancels the blocked tasks in creation order (main first: its cancel is forwarded to the
task it awaits), their cleanup runs, and run() re-raises the RuntimeError."""

import asyncio

from vtloop import log


async def stuck(fut):
    try:
        await fut
    finally:
        log("stuck finally")


async def main():
    loop = asyncio.get_running_loop()
    worker = asyncio.create_task(stuck(loop.create_future()), name="stuck")
    await asyncio.sleep(1)
    log("main awaits a task that can never finish")
    try:
        await worker
    except asyncio.CancelledError:
        log("main caught CancelledError")
        raise
