"""Several errors in one group: they are collected in the order the group saw them, not
in creation order. Two children fail at the same instant (both count: the second has
already finished when the first one's done callback aborts the group); two more fail
while handling the cancellation the abort sent them, in the order they were cancelled.
Only the first error cancels the parent, and the group withdraws that cancel again. The
ExceptionGroup is then re-raised out of main."""

import asyncio

from vtloop import log


async def fail_after(name, delay, exc):
    await asyncio.sleep(delay)
    log(f"{name} raises {type(exc).__name__}")
    raise exc


async def fail_on_cancel(name, exc):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"{name} cancelled, raises {type(exc).__name__}")
        raise exc


async def main():
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(fail_on_cancel("slow", KeyError("slow cleanup")), name="slow")
            g.create_task(fail_after("y", 1, ValueError("y")), name="y")
            g.create_task(fail_after("w", 1, ZeroDivisionError("w")), name="w")
            g.create_task(fail_on_cancel("z", RuntimeError("z cleanup")), name="z")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log(f"body cancelled cancelling={asyncio.current_task().cancelling()}")
                raise
    except ExceptionGroup as eg:
        log(f"ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
        for e in eg.exceptions:
            log(f"  {type(e).__name__} {e.args[0] if e.args else ''}")
        log(f"str: {eg}")
        log(f"cancelling={asyncio.current_task().cancelling()}")
        raise
