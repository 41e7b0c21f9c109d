"""Timeout.reschedule() moves the deadline of an active scope: later (the body now
finishes in time), earlier (it expires sooner), or None (it never expires). Only an
active scope can be rescheduled: before entry and after exit it raises RuntimeError,
naming the state."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()
    cm = asyncio.timeout(1)
    try:
        cm.reschedule(5)
    except RuntimeError as e:
        log(f"before entry: RuntimeError {e}")
    async with cm:
        cm.reschedule(loop.time() + 3)
        await asyncio.sleep(2)
        log(f"later: body finished in time, when={cm.when()}")
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        log(f"after exit: RuntimeError {e}")

    cm = asyncio.timeout(10)
    try:
        async with cm:
            await asyncio.sleep(1)
            cm.reschedule(loop.time() + 1)
            await asyncio.sleep(5)
    except TimeoutError:
        log(f"earlier: TimeoutError when={cm.when()}")
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        log(f"after expiry: RuntimeError {e}")

    cm = asyncio.timeout(1)
    async with cm:
        cm.reschedule(None)
        await asyncio.sleep(3)
        log(f"None: no deadline, when={cm.when()} expired={cm.expired()}")
