"""A cancel() of the task in the same loop iteration as wait_for's timeout is never
lost (3.12's wait_for). (1) Timeout first: it cancels the inner sleep; the explicit
cancel then finds that sleep already cancelled and sets the task's must-cancel flag;
the CancelledError delivered is the sleep's (no message). (2) Explicit cancel first: it
cancels the sleep with its message; the timeout's cancel only sets the flag. Either
way, on exit the timeout withdraws its own request, sees the other one still pending
(cancelling() stays 1), and lets the CancelledError through instead of TimeoutError."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def worker(label):
    try:
        await asyncio.wait_for(asyncio.sleep(5), 1)
        log(f"{label}: wait_for returned (wrong)")
    except TimeoutError:
        log(f"{label}: TimeoutError (the cancel was lost)")
    except asyncio.CancelledError as e:
        log(f"{label}: CancelledError msg={msg(e)} cancelling={asyncio.current_task().cancelling()}")
        raise


async def trial(label, explicit_first):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1
    w = asyncio.create_task(worker(label), name=label)
    if not explicit_first:
        await asyncio.sleep(0)  # the worker schedules its timeout timer first
    loop.call_at(deadline, lambda: log(f"{label}: cancel returned {w.cancel('explicit')}"))
    try:
        await w
    except asyncio.CancelledError:
        log(f"{label}: worker cancelled={w.cancelled()}")


async def main():
    await trial("timeout first", False)
    await trial("cancel first", True)
