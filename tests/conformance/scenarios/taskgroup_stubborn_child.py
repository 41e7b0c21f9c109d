"""A child that swallows its cancellation keeps the group's exit waiting. The runner is
cancelled from outside in its body; the stubborn child catches the group's cancel and
sleeps on. A second outside cancel, while the exit waits, interrupts only the wait: the
group is already aborting, so it neither cancels the children again nor replaces the
first CancelledError, whose message is what the runner raises once the stubborn child
returns. The runner's cancelling() then counts both requests."""

import asyncio

from vtloop import log


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"stubborn swallows CancelledError msg={e.args[0] if e.args else ''}")
    await asyncio.sleep(2)
    log("stubborn returns")
    return "stubborn result"


async def polite():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"polite caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def runner():
    g = asyncio.TaskGroup()
    try:
        async with g:
            s = g.create_task(stubborn(), name="stubborn")
            g.create_task(polite(), name="polite")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                log(f"body caught CancelledError msg={e.args[0] if e.args else ''}")
                raise
    except asyncio.CancelledError as e:
        log(f"group raised CancelledError msg={e.args[0] if e.args else ''} "
            f"cancelling={asyncio.current_task().cancelling()} stubborn={s.result()}")
        raise


async def main():
    r = asyncio.create_task(runner(), name="runner")
    await asyncio.sleep(1)
    r.cancel("first")
    await asyncio.sleep(1)
    log(f"second cancel returned {r.cancel('second')}")
    try:
        await r
    except asyncio.CancelledError as e:
        log(f"runner cancelled={r.cancelled()} msg={e.args[0] if e.args else ''} "
            f"cancelling={r.cancelling()}")
