"""task.cancel(msg) on a sleeping task returns True and cancels its sleep future: the
task sees CancelledError(msg) at the sleep in the next loop iteration, at the same
virtual time (its sleep timer is cancelled, so the clock never jumps to it); its except
and finally blocks run, and an awaiter gets CancelledError with the same message."""

import asyncio

from vtloop import log


async def sleeper():
    try:
        log("sleeper sleeping 10")
        await asyncio.sleep(10)
        log("sleeper woke (not reached)")
    except asyncio.CancelledError as e:
        log(f"sleeper caught CancelledError msg={e.args[0] if e.args else ''}")
        raise
    finally:
        log("sleeper finally")


async def main():
    task = asyncio.create_task(sleeper(), name="sleeper")
    await asyncio.sleep(1)
    log(f"cancel returned {task.cancel('stop now')}")
    log(f"right after cancel: done={task.done()} cancelling={task.cancelling()}")
    try:
        await task
    except asyncio.CancelledError as e:
        log(f"main caught CancelledError msg={e.args[0] if e.args else ''}")
    log(f"sleeper cancelled={task.cancelled()}")
