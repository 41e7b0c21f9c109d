"""In CPython 3.11, uncancel() only decrements the request count. A cancel requested
while the task was ready (not awaiting anything) sets its must-cancel flag, and that is
still delivered at its next step even after uncancel() brought cancelling() back to 0.
(Later CPython releases make the last uncancel() withdraw it; lockstep follows 3.11.) A cancel requested while it awaited a
future has already cancelled that future, which uncancel() cannot undo either."""

import asyncio

from vtloop import log


async def stepper(name):
    try:
        log(f"{name} step 1")
        await asyncio.sleep(0)
        log(f"{name} step 2")
        await asyncio.sleep(1)
        log(f"{name} step 3")
    except asyncio.CancelledError:
        log(f"{name} caught CancelledError")
        raise


async def main():
    ready = asyncio.create_task(stepper("ready"), name="ready")
    waiting = asyncio.create_task(stepper("waiting"), name="waiting")
    await asyncio.sleep(0)
    ready.cancel()
    log(f"ready: uncancel returned {ready.uncancel()}")
    await asyncio.sleep(0.5)
    waiting.cancel()
    log(f"waiting: uncancel returned {waiting.uncancel()}")
    for task in (ready, waiting):
        try:
            await task
        except asyncio.CancelledError:
            log(f"{task.get_name()} cancelled={task.cancelled()} cancelling={task.cancelling()}")
