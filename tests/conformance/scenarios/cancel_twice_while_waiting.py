"""Two cancel() calls while a task awaits a future: the first cancels the awaited future
and its message is the one delivered; the second finds that future already cancelled
and only sets the task's must-cancel flag, which the delivery of the first consumes.
So the task sees ONE CancelledError and can then await normally; cancelling() is 2."""

import asyncio

from vtloop import log


async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"worker caught CancelledError msg={e.args[0] if e.args else ''}")
    await asyncio.sleep(1)
    log("worker's next sleep completed normally")
    return "survived"


async def main():
    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(0)
    log(f"cancel first returned {task.cancel('first')}")
    log(f"cancel second returned {task.cancel('second')}")
    log(f"cancelling={task.cancelling()}")
    log(f"worker returned {await task} cancelled={task.cancelled()}")
