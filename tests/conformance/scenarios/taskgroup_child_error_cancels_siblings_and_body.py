"""A child that raises cancels its siblings and the body (the parent task is cancelled
at its current await, without a message), in one loop iteration: the siblings first, in
creation order, then the body. The siblings finish before the body resumes, but the
group still counts them until their done callbacks run. The ExceptionGroup holds the one
ValueError, and the group withdraws its cancel of the parent (uncancel), so cancelling()
is 0 after the group and the parent carries on normally."""

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
    raise ValueError("boom")


async def main():
    g = asyncio.TaskGroup()
    try:
        async with g:
            s1 = g.create_task(sibling("s1"), name="s1")
            g.create_task(failer(), name="failer")
            s2 = g.create_task(sibling("s2"), name="s2")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                log(f"body caught CancelledError msg={e.args[0] if e.args else ''} "
                    f"cancelling={asyncio.current_task().cancelling()}")
                log(f"body sees {g!r} s1.done={s1.done()} s2.done={s2.done()}")
                raise
            log("body not reached")
    except ExceptionGroup as eg:
        log(f"ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
        for e in eg.exceptions:
            log(f"  {type(e).__name__} {e.args[0] if e.args else ''}")
    log(f"after group cancelling={asyncio.current_task().cancelling()} {g!r}")
    log(f"s1.cancelled={s1.cancelled()} s2.cancelled={s2.cancelled()}")
    await asyncio.sleep(1)
    log("main slept on after the group")
