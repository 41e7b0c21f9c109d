"""`async with lock:` releases the lock when the body raises and when the holder is
cancelled, and the next waiter gets the lock in the same iteration as the holder's
exit. (In C++: the LockGuard from `co_await lock.lock()` releases in its destructor.)"""

import asyncio

from vtloop import log


async def holder(lock, name, fail):
    async with lock:
        log(f"{name} holds the lock")
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            log(f"{name} cancelled while holding")
            raise
        if fail:
            raise ValueError(f"{name} failed")
    log(f"{name} left")


async def main():
    lock = asyncio.Lock()
    tasks = [asyncio.create_task(holder(lock, n, n == "failer"), name=n)
             for n in ("failer", "sleeper", "last")]
    await asyncio.sleep(1.5)
    tasks[1].cancel()
    for t in tasks:
        try:
            await t
        except (ValueError, asyncio.CancelledError) as e:
            log(f"{t.get_name()} raised {type(e).__name__}: {e.args[0] if e.args else ''}")
    log(f"locked={lock.locked()}")
