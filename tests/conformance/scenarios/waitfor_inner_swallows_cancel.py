"""When wait_for's timeout cancels an inner that catches the CancelledError and returns
a value instead, wait_for returns that value: no TimeoutError, for a coroutine run
inline as for a task. The cancel request the timeout made is withdrawn, so the caller's
cancelling() is back to 0."""

import asyncio

from vtloop import log


async def stubborn(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"{name} caught CancelledError, returns a value")
        return f"{name} value"
    return "not reached"


async def main():
    v = await asyncio.wait_for(stubborn("coro"), 1)
    log(f"wait_for(coro) returned {v} cancelling={asyncio.current_task().cancelling()}")
    t = asyncio.create_task(stubborn("task"), name="task")
    v = await asyncio.wait_for(t, 1)
    log(f"wait_for(task) returned {v} cancelling={asyncio.current_task().cancelling()}")
    log(f"task cancelled={t.cancelled()}")
