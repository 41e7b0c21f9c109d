"""asyncio.timeout(): when() is the absolute deadline; expired() is False while the body
runs in time and after it finishes in time, True once the deadline passed. A body that
overruns gets CancelledError at the deadline, which the scope turns into TimeoutError
(no message) and withdraws its cancel request (cancelling() back to 0). A body that
catches that CancelledError and carries on leaves the scope normally, still expired."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()
    cm = asyncio.timeout(2)
    log(f"when={cm.when()} expired={cm.expired()}")
    async with cm:
        await asyncio.sleep(1)
        log(f"inside: expired={cm.expired()}")
    log(f"after in-time body: expired={cm.expired()}")

    cm = asyncio.timeout(1)
    try:
        async with cm:
            await asyncio.sleep(5)
    except TimeoutError as e:
        log(f"TimeoutError msg={e.args[0] if e.args else ''} expired={cm.expired()} cancelling={asyncio.current_task().cancelling()}")

    cm = asyncio.timeout_at(loop.time() + 1)
    async with cm:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            log(f"body swallows CancelledError expired={cm.expired()}")
        await asyncio.sleep(1)
        log("body continues after its deadline")
    log(f"left normally expired={cm.expired()} cancelling={asyncio.current_task().cancelling()}")
