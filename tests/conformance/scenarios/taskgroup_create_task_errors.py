"""When TaskGroup.create_task refuses, with RuntimeError and the group's repr: before
the group is entered ("has not been entered"); while it aborts after a failure ("is
shutting down"); once it is exiting with no children left ("is finished"), which already
holds in the loop iteration between the last child's done callback and the exit's
return; and after the exit. Entering a group twice, nested or after it is done, raises
"has already been entered" and the body does not run."""

import asyncio

from vtloop import log


async def noop():
    log("noop ran")


def try_create(label, g):
    coro = noop()
    try:
        g.create_task(coro, name=label)
        log(f"{label}: created")
    except RuntimeError as e:
        coro.close()  # never started: close it so it is not reported as never awaited
        log(f"{label}: RuntimeError {e}")


async def on_cancel_try_create(g):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        try_create("while aborting", g)
        raise


async def crash():
    await asyncio.sleep(1)
    raise ValueError("crash")


async def late_outsider(g):
    await asyncio.sleep(1)
    await asyncio.sleep(0)  # runs right after the last child's done callback
    try_create("exit not yet returned", g)


async def body_never_runs():
    log("body ran")


async def main():
    g = asyncio.TaskGroup()
    try_create("before entering", g)
    log(f"{g!r}")

    try:
        async with g:
            g.create_task(on_cancel_try_create(g), name="victim")
            g.create_task(crash(), name="crash")
            try:
                async with g:
                    await body_never_runs()
            except RuntimeError as e:
                log(f"nested enter: RuntimeError {e}")
            await asyncio.sleep(10)
    except ExceptionGroup as eg:
        log(f"ExceptionGroup n={len(eg.exceptions)} {type(eg.exceptions[0]).__name__}")
    log(f"{g!r}")

    g2 = asyncio.TaskGroup()
    async with g2:
        g2.create_task(asyncio.sleep(1), name="last")
        o = asyncio.create_task(late_outsider(g2), name="outsider")
    log("g2 exited")
    await o
    try_create("after exit", g2)
    try:
        async with g2:
            await body_never_runs()
    except RuntimeError as e:
        log(f"enter again: RuntimeError {e}")
