"""Errors of children take precedence over a cancellation from outside. A: the runner is
cancelled in its body; a child fails while handling the cancel it got from the group:
the group raises ExceptionGroup, not CancelledError, and the runner's cancelling()
stays 1 (nobody withdraws the outside cancel), yet the runner can go on awaiting.
B (test_taskgroup_15): the runner is cancelled and its body, handling that, sleeps;
meanwhile a child fails: the group is not aborting yet, so it cancels the children and
the parent once more; at exit it withdraws only its own cancel (cancelling() goes 2 to
1) and still raises ExceptionGroup."""

import asyncio

from vtloop import log


async def child(name, cleanup_error):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"{name} cancelled, raises {type(cleanup_error).__name__}")
        raise cleanup_error


async def crash_soon(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log(f"{name} cancelled")
        raise
    log(f"{name} raises ZeroDivisionError")
    raise ZeroDivisionError(name)


def show(label, eg):
    log(f"{label}: ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
    for e in eg.exceptions:
        log(f"{label}:   {type(e).__name__} {e.args[0] if e.args else ''}")
    log(f"{label}: cancelling={asyncio.current_task().cancelling()}")


async def runner_a():
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(child("a1", ValueError("a1 cleanup")), name="a1")
            await asyncio.sleep(10)
    except ExceptionGroup as eg:
        show("A", eg)
    await asyncio.sleep(1)
    log("A: runner slept on")
    return "A done"


async def runner_b():
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(crash_soon("b1", 0.5), name="b1")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                log(f"B: body caught CancelledError msg={e.args[0] if e.args else ''} "
                    f"cancelling={asyncio.current_task().cancelling()}")
                try:
                    await asyncio.sleep(1)
                except asyncio.CancelledError as e2:
                    log(f"B: body cancelled again msg={e2.args[0] if e2.args else ''} "
                        f"cancelling={asyncio.current_task().cancelling()}")
                raise
    except ExceptionGroup as eg:
        show("B", eg)
    return "B done"


async def main():
    ra = asyncio.create_task(runner_a(), name="runner-a")
    await asyncio.sleep(1)
    ra.cancel("outer a")
    log(f"A: runner returned {await ra}")

    rb = asyncio.create_task(runner_b(), name="runner-b")
    await asyncio.sleep(0.25)
    rb.cancel("outer b")
    log(f"B: runner returned {await rb}")
