"""cancel() on a task that has already finished (returned, raised, or been cancelled)
returns False and does not bump cancelling(); cancel() on a pending task returns True
even when the task then refuses the cancellation."""

import asyncio

from vtloop import log


async def returns():
    return "ok"


async def raises():
    raise KeyError("k")


async def refuses():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        log("refuses caught CancelledError")
    return "refused"


async def main():
    done_ok = asyncio.create_task(returns(), name="returns")
    done_err = asyncio.create_task(raises(), name="raises")
    stubborn = asyncio.create_task(refuses(), name="refuses")
    await asyncio.sleep(0)
    log(f"cancel pending returned {stubborn.cancel()}")
    log(f"stubborn returned {await stubborn}")
    for task in (done_ok, done_err, stubborn):
        log(f"{task.get_name()}: cancel returned {task.cancel()} cancelling={task.cancelling()}")
    log(f"raises exception type {type(done_err.exception()).__name__}")
