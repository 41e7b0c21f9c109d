"""A task cancelled inside Condition.wait() re-acquires the lock before CancelledError
leaves wait(), so it waits for the holder to release. A second cancel that arrives
while it re-acquires is absorbed, the acquire retried, and then a *plain*
CancelledError (no message) is raised instead of the first."""

import asyncio

from vtloop import log


async def waiter(cond, name):
    async with cond:
        try:
            await cond.wait()
        except asyncio.CancelledError as e:
            log(f"{name} CancelledError msg={e.args[0] if e.args else ''} locked={cond.locked()}")
            raise


async def main():
    cond = asyncio.Condition()
    once = asyncio.create_task(waiter(cond, "once"), name="once")
    twice = asyncio.create_task(waiter(cond, "twice"), name="twice")
    await asyncio.sleep(0)
    await cond.acquire()
    once.cancel("first")
    twice.cancel("first")
    await asyncio.sleep(0)
    log("main holds the lock")
    twice.cancel("second")
    await asyncio.sleep(1)
    cond.release()
    log("main released")
    for t in (once, twice):
        try:
            await t
        except asyncio.CancelledError as e:
            log(f"{t.get_name()} cancelled={t.cancelled()} msg={e.args[0] if e.args else ''}")
    log(f"locked={cond.locked()}")
