"""Cancelling the task that sits in wait_for() raises CancelledError (with the
message), not TimeoutError: the timeout did not expire. The cancel reaches the inner
first: a coroutine run inline sees it in its own frame, a task argument is cancelled."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def inner(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={msg(e)}")
        raise


async def caller(aw):
    try:
        await asyncio.wait_for(aw, 5)
    except TimeoutError:
        log("caller caught TimeoutError (wrong)")
    except asyncio.CancelledError as e:
        log(f"caller caught CancelledError msg={msg(e)}")
        raise


async def main():
    c1 = asyncio.create_task(caller(inner("coro")), name="c1")
    t = asyncio.create_task(inner("task"), name="task")
    c2 = asyncio.create_task(caller(t), name="c2")
    await asyncio.sleep(1)
    c1.cancel("stop 1")
    c2.cancel("stop 2")
    for c in (c1, c2):
        try:
            await c
        except asyncio.CancelledError:
            log(f"{c.get_name()} cancelled={c.cancelled()}")
    log(f"task cancelled={t.cancelled()}")
    await asyncio.sleep(10)
    log("no timeout fired later")
