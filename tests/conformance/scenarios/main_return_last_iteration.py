"""run() stops the loop through main's done callback, which is itself scheduled with
call_soon. So everything already in the ready queue when main finishes still runs one
more step before the leftovers are cancelled: a task main created in its last step
starts, a queued callback runs, a task woken in the same iteration takes its step."""

import asyncio

from vtloop import log


async def late_starter():
    log("late_starter first step")
    await asyncio.sleep(0)
    log("late_starter second step (not reached)")


async def spinner():
    try:
        while True:
            await asyncio.sleep(0)
            log("spinner step")
    finally:
        log("spinner finally")


async def main():
    loop = asyncio.get_running_loop()
    asyncio.create_task(spinner(), name="spinner")
    await asyncio.sleep(0)
    asyncio.create_task(late_starter(), name="late_starter")
    loop.call_soon(log, "callback queued by main's last step")
    log("main returns")
