"""When main returns, run() cancels every task still pending, in creation order, and runs
the loop until they have all finished: a sleeping task, a task blocked on a future and a
task that catches the cancel and sleeps on all run their cleanup. The drain takes virtual
time if cleanup sleeps; the outcome line is logged at the time the drain ended."""

import asyncio

from vtloop import log


async def sleeper():
    try:
        await asyncio.sleep(100)
    finally:
        log("sleeper finally")


async def blocked(fut):
    try:
        await fut
    finally:
        log("blocked finally")


async def slow_cleanup():
    try:
        await asyncio.sleep(100)
    except asyncio.CancelledError:
        log("slow_cleanup caught CancelledError, cleans up for 2")
        await asyncio.sleep(2)
        log("slow_cleanup done cleaning")


async def main():
    loop = asyncio.get_running_loop()
    asyncio.create_task(slow_cleanup(), name="slow_cleanup")
    asyncio.create_task(sleeper(), name="sleeper")
    asyncio.create_task(blocked(loop.create_future()), name="blocked")
    await asyncio.sleep(1)
    log("main returns")
    return 3
