"""A task sleeping until t and a call_later callback due at t: both timers fire in the
same loop iteration, but the sleep's timer only completes the task's future, whose
done callback (the task's wakeup) is scheduled with call_soon. So the plain callback
runs first even though the sleep was armed first, and a second task sleeping to the
same instant wakes after the first, in arming order."""

import asyncio

from vtloop import log


async def sleeper(name):
    log(f"{name} sleeps 1")
    await asyncio.sleep(1)
    log(f"{name} woke")


async def main():
    loop = asyncio.get_running_loop()
    first = asyncio.create_task(sleeper("first"), name="first")
    await asyncio.sleep(0)
    loop.call_later(1, log, "callback due at 1")
    second = asyncio.create_task(sleeper("second"), name="second")
    await asyncio.sleep(0)
    loop.call_at(1, log, "callback armed last, due at 1")
    await first
    await second
