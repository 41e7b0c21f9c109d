"""A child fails after the body has ended, while the group waits in its exit. The group
cancels the other children and its parent task; that cancel only interrupts the exit's
wait, which the group ignores (it is aborting) and resumes. Stock 3.11.7 withdraws its
cancel of the parent only at the top of the exit, before the wait, so here it never
would, and cancelling() would stay 1 after the group. lockstep, and vtloop's TaskGroup,
withdraw it after the wait, as CPython 3.13 does: cancelling() is back to 0. The parent
can await normally afterwards."""

import asyncio

from vtloop import log


async def sibling(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def failer():
    await asyncio.sleep(1)
    log("failer raises ValueError")
    raise ValueError("late")


async def main():
    g = asyncio.TaskGroup()
    try:
        async with g:
            g.create_task(sibling("s1"), name="s1")
            g.create_task(failer(), name="failer")
            log(f"body ends {g!r}")
    except ExceptionGroup as eg:
        log(f"ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
        for e in eg.exceptions:
            log(f"  {type(e).__name__} {e.args[0] if e.args else ''}")
    log(f"after group cancelling={asyncio.current_task().cancelling()} {g!r}")
    await asyncio.sleep(1)
    log(f"main slept on cancelling={asyncio.current_task().cancelling()}")
