"""A task that cancels itself (current_task().cancel()) is not interrupted at once: it
runs on until its next await, where the awaited future is cancelled immediately and
CancelledError(msg) is raised without waiting for the future. A task that cancels
itself and then returns without awaiting ends cancelled, its return value discarded."""

import asyncio

from vtloop import log


async def cancels_then_awaits():
    asyncio.current_task().cancel("self")
    log("awaiter still running after self-cancel")
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError as e:
        log(f"awaiter caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def cancels_then_returns():
    asyncio.current_task().cancel("self-return")
    log("returner returns 9")
    return 9


async def main():
    for coro, name in ((cancels_then_awaits(), "awaiter"), (cancels_then_returns(), "returner")):
        task = asyncio.create_task(coro, name=name)
        try:
            log(f"{name} returned {await task}")
        except asyncio.CancelledError as e:
            log(f"{name} ended cancelled msg={e.args[0] if e.args else ''}")
